import { env } from "@/lib/config/env";
import type { ProviderCall, ProviderFailure, RecipientResult } from "../types";

/**
 * Collects results and calls of one send(batch). Call indexes are reserved before the call starts so concurrent
 * calls keep stable, unique indexes.
 */
export class SendRecorder {
  readonly results: RecipientResult[] = [];
  readonly calls: ProviderCall[] = [];
  private nextIndex = 0;

  reserveCall(): number {
    return this.nextIndex++;
  }

  addCall(call: ProviderCall): void {
    this.calls.push(call);
  }

  accept(recipientId: string, providerMessageId: string, callIndex: number): void {
    this.results.push({ recipientId, ok: true, providerMessageId, callIndex });
  }

  fail(recipientId: string, error: ProviderFailure, callIndex: number): void {
    this.results.push({ recipientId, ok: false, error, callIndex });
  }

  outcome() {
    this.calls.sort((a, b) => a.index - b.index);
    return { results: this.results, calls: this.calls };
  }
}

/** The address part of `Name <addr>` or a bare address, lower-cased (keys of Mailgun recipient-variables). */
export function bareAddress(address: string): string {
  const m = /<([^>]+)>\s*$/.exec(address);
  return (m ? m[1] : address).trim().toLowerCase();
}

interface CauseLike {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/**
 * "ECONNREFUSED 127.0.0.1:4010", "ENOTFOUND api.example.invalid", … from a transport error's `cause` chain (undici
 * puts the system error in `cause`, sometimes an AggregateError of one error per address tried). Only the error
 * code and the host/port are read — never URLs or headers — so no credential can leak into the text.
 */
export function transportCause(err: unknown): string | undefined {
  let c = (err as CauseLike | undefined)?.cause as CauseLike | undefined;
  for (let depth = 0; c && typeof c === "object" && depth < 4; depth++) {
    const first = Array.isArray(c.errors) ? (c.errors[0] as CauseLike | undefined) : undefined;
    const code = typeof c.code === "string" ? c.code : typeof first?.code === "string" ? first.code : undefined;
    if (code) {
      const address = c.address ?? first?.address ?? c.hostname ?? first?.hostname;
      const port = c.port ?? first?.port;
      const where = typeof address === "string" ? (port !== undefined ? `${address}:${port}` : address) : "";
      return where ? `${code} ${where}` : code;
    }
    c = c.cause as CauseLike | undefined;
  }
  return undefined;
}

/** Removes `user:password@` from any URL in a transport error's text. */
export function redactUserinfo(text: string): string {
  return text.replace(/(\w+:\/\/)[^\s/@]*@/g, "$1");
}

/**
 * A provider call that takes longer is abandoned as `retryable` (PROVIDER_CALL_TIMEOUT_SECONDS, default 30). The
 * dispatcher's lease (30 s by default) is renewed by its heartbeat every third of it while the round is in flight, so a
 * slow ESP never makes another worker take the batch over; a dead worker's batch is taken over within one lease.
 */
export function providerCallTimeoutMs(): number {
  return env().PROVIDER_CALL_TIMEOUT_SECONDS * 1000;
}
