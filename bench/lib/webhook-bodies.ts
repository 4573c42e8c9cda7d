import { randomUUID } from "node:crypto";
import { loadFixture } from "../../lib/webhooks/fixtures/load-fixture";
import type { Request } from "autocannon";

/**
 * Postmark webhook bodies for the ingest load: Delivery and Open alternately, each with its own MessageID and
 * timestamp (so each is a distinct event: Postmark Delivery/Open have no event id, the dedup key hashes the
 * payload), and every 10th request an exact byte-for-byte replay of an earlier one (what an ESP retry looks like).
 * Metadata carries a real recipient id (as every webhook for mail we sent does), so correlation and the
 * monotonic status UPDATE run too.
 */
export class WebhookBodies {
  /** Every distinct body generated, in order. */
  readonly unique: string[] = [];
  /** Indexes of distinct bodies the receiver answered 2xx for. */
  readonly confirmed = new Set<number>();
  duplicatesSent = 0;
  duplicatesAnswered = 0;
  /** Duplicates the app's receipt reported as `duplicates: 1` (a floor answers without looking). */
  duplicatesRecognized = 0;
  failed = 0;
  private seq = 0;
  private readonly delivery = loadFixture("postmark/delivery");
  private readonly open = loadFixture("postmark/open");
  private readonly base = Date.parse("2026-01-01T00:00:00Z");

  constructor(private readonly recipientIds: string[]) {}

  next(): { body: string; index: number } {
    this.seq += 1;
    if (this.seq % 10 === 0 && this.unique.length > 200) {
      // An exact replay of an event sent a while ago (not one still in flight on another connection).
      const index = Math.floor(Math.random() * (this.unique.length - 100));
      this.duplicatesSent += 1;
      return { body: this.unique[index]!, index: -1 - index };
    }
    const n = this.unique.length;
    const at = new Date(this.base + n).toISOString();
    const recipientId = this.recipientIds.length ? this.recipientIds[n % this.recipientIds.length] : undefined;
    const template = n % 2 === 0 ? this.delivery : this.open;
    const payload = {
      ...template,
      MessageID: randomUUID(),
      Recipient: `rcpt${n}@example.com`,
      ...(n % 2 === 0 ? { DeliveredAt: at } : { ReceivedAt: at }),
      Metadata: recipientId ? { pm_recipient_id: recipientId } : {},
    };
    this.unique.push(JSON.stringify(payload));
    return { body: this.unique[n]!, index: n };
  }

  /** The autocannon request: a body per request, and the answer recorded against it (pipelining 1). */
  request(): Pick<Request, "setupRequest" | "onResponse"> {
    return {
      setupRequest: (req, context) => {
        const { body, index } = this.next();
        context.index = index;
        return { ...req, body };
      },
      onResponse: (status, body, context) => {
        const index = context.index as number;
        if (status < 200 || status >= 300) {
          this.failed += 1;
          return;
        }
        if (index >= 0) {
          this.confirmed.add(index);
          return;
        }
        this.duplicatesAnswered += 1;
        try {
          if ((JSON.parse(body) as { duplicates?: number }).duplicates === 1) this.duplicatesRecognized += 1;
        } catch {
          /* a floor's answer */
        }
      },
    };
  }

  /** Distinct bodies sent but not answered 2xx (cut off at the end of a run, or failed). */
  unconfirmed(): string[] {
    return this.unique.filter((_, i) => !this.confirmed.has(i));
  }
}
