import autocannon, { type Request, type Result } from "autocannon";
import type { CpuUse } from "./cpu";

export interface LoadOptions {
  /** Full URL on 127.0.0.1. */
  url: string;
  headers?: Record<string, string>;
  /** A fixed body, or a per-request one. */
  body?: string;
  request?: Pick<Request, "setupRequest" | "onResponse">;
  connections: number;
  durationSec: number;
}

export interface LoadResult {
  /** Successful (2xx) responses per second over the measured window. */
  okPerSec: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  durationSec: number;
  statusCodes: Record<string, number>;
  /** Cores used during the measured window (set by bench/run.ts). */
  cpu?: CpuUse;
}

/** One bounded autocannon run (programmatic API, keep-alive connections, no pipelining). */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const host = new URL(o.url).hostname;
  if (host !== "127.0.0.1") throw new Error(`refusing to load anything but 127.0.0.1 (got ${host})`);
  const result: Result = await autocannon({
    url: o.url,
    method: "POST",
    connections: o.connections,
    duration: o.durationSec,
    pipelining: 1,
    timeout: 10,
    headers: { "content-type": "application/json", ...o.headers },
    ...(o.body !== undefined ? { body: o.body } : {}),
    ...(o.request ? { requests: [{ method: "POST", ...o.request }] } : {}),
  });
  const ok = result["2xx"];
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = s.count;
  return {
    okPerSec: ok / result.duration,
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    durationSec: result.duration,
    statusCodes,
  };
}
