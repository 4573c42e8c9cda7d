import type { ProviderCall, ProviderFailure, RecipientResult } from "./types";

/** Splits a list into chunks of at most `size` items (ESP per-call limits). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

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
