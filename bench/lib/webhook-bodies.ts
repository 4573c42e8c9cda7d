import { randomUUID } from "node:crypto";
import type { Request } from "autocannon";

/**
 * Postmark webhook bodies for the ingest load: Delivery and Open alternately, each with its own MessageID and
 * timestamp (so each is a distinct event: Postmark Delivery/Open have no event id, the dedup key hashes the
 * payload), and every 10th request an exact byte-for-byte replay of an earlier one (what an ESP retry looks like).
 * Metadata carries a real recipient id (as every webhook for mail we sent does), so correlation and the
 * monotonic status UPDATE run too.
 */
/**
 * Templates with the shape of the Postmark sample payloads (test/fixtures/webhooks/postmark/{delivery,open}.json).
 * Kept inline: the product's `next build` typechecks bench/ too, so an import of a moved test helper here would
 * break the app's build.
 */
const DELIVERY = {
  RecordType: "Delivery",
  ServerID: 23,
  MessageStream: "outbound",
  MessageID: "883953f4-6105-42a2-a16a-77a8eac79483",
  Recipient: "john@example.com",
  Tag: "welcome-email",
  DeliveredAt: "2026-01-01T10:00:05.2735393-05:00",
  Details: "smtp;250 2.0.0 OK",
  Metadata: { user_id: "12345" },
};
const OPEN = {
  RecordType: "Open",
  FirstOpen: true,
  ServerID: 23,
  MessageStream: "outbound",
  MessageID: "883953f4-6105-42a2-a16a-77a8eac79483",
  Recipient: "john@example.com",
  Tag: "welcome-email",
  ReceivedAt: "2026-01-01T10:05:00.2493688-05:00",
  ReadSeconds: 5,
  Platform: "WebMail",
  Client: { Name: "Gmail", Company: "Google", Family: "Gmail" },
  OS: { Name: "unknown", Company: "unknown", Family: "unknown" },
  UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
  Geo: {
    CountryISOCode: "US",
    Country: "United States",
    RegionISOCode: "CA",
    Region: "California",
    City: "San Francisco",
    Zip: "94107",
    Coords: "37.7749,-122.4194",
    IP: "203.0.113.1",
  },
  Metadata: { user_id: "12345" },
};

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
  private readonly delivery = DELIVERY;
  private readonly open = OPEN;
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
