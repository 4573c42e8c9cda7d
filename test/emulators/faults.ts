/**
 * Scripted faults shared by the HTTP emulators. A rule answers the next `times` matching requests with a fault,
 * then falls through to normal behaviour ("N failures then success"). Latency applies to every request.
 */
export type Fault =
  | { kind: "status"; status: number; body?: unknown; contentType?: string; headers?: Record<string, string> }
  | { kind: "timeout" } // accept the request and never answer
  | { kind: "drop" }; // destroy the socket without an answer

export interface FaultRule {
  fault: Fault;
  remaining: number;
  path?: string | RegExp;
}

export class FaultController {
  latencyMs = 0;
  private rules: FaultRule[] = [];

  /** Answers the next `times` requests (default: every request) whose path matches with `fault`. */
  inject(fault: Fault, opts: { times?: number; path?: string | RegExp } = {}): void {
    this.rules.push({ fault, remaining: opts.times ?? Number.POSITIVE_INFINITY, path: opts.path });
  }

  /** "N failures then success": the next `n` matching requests fail, later ones succeed. */
  failNext(n: number, fault: Fault, path?: string | RegExp): void {
    this.inject(fault, { times: n, path });
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
  }

  /** The fault for this request, consuming one use of the first matching rule. */
  take(path: string): Fault | undefined {
    const rule = this.rules.find(
      (r) => r.remaining > 0 && (!r.path || (typeof r.path === "string" ? path.startsWith(r.path) : r.path.test(path))),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  }
}
