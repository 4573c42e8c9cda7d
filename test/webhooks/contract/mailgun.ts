import { loadFixture } from "@/test/fixtures/webhooks/load-fixture";
import { METADATA_KEYS } from "@/lib/providers/correlation";
import { signMailgunPayload } from "@/lib/providers/mailgun/webhook";
import type { WebhookContractFixtures } from "./types";

const KEY = "contract-signing-key";
let counter = 0;
const post = (url: string, body: unknown) => new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** A fresh token per delivery attempt, as Mailgun signs each POST (§8.2). */
function signature(now: Date, key: string) {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const token = `contract-${String(++counter).padStart(8, "0")}`.padEnd(50, "x");
  return { timestamp, token, signature: signMailgunPayload(timestamp, token, key) };
}

const UNTRUSTED_EVENT = { event: 42, timestamp: "yesterday" };

/** Mailgun: HMAC over timestamp + token with the workspace's signing key, the event in `event-data` (§8). */
export const mailgunContract: WebhookContractFixtures = {
  connectBody: { api_key: "key-contract", domain: "mg.example.com", webhook_signing_key: KEY },
  providerMessageId: (n) => `20260101000000.${n}.CONTRACT@mg.example.com`,
  body: (fixture, copy, now) => {
    const envelope = loadFixture<{ "event-data": Record<string, unknown> }>(`mailgun/${fixture}`);
    const data = envelope["event-data"];
    const message = (data.message ?? {}) as { headers?: Record<string, unknown> };
    return {
      "event-data": {
        ...data,
        // Mailgun gives every event its own id: one per copy here, so two copies' events never merge.
        id: `${String(data.id)}-${copy.recipientId}`,
        timestamp: now.getTime() / 1000,
        recipient: copy.email,
        message: { ...message, headers: { ...message.headers, "message-id": copy.providerMessageId } },
        "user-variables": { [METADATA_KEYS.messageId]: copy.messageId, [METADATA_KEYS.recipientId]: copy.recipientId },
      },
    };
  },
  authentic: (url, body, _webhook, now) => post(url, { ...(body as object), signature: signature(now, KEY) }),
  forged: (url, _webhook, now) => post(url, { signature: signature(now, "not-the-key"), "event-data": UNTRUSTED_EVENT }),
  unauthenticated: (url) => post(url, { "event-data": UNTRUSTED_EVENT }),
  invalid: (url, _webhook, now) => post(url, { signature: signature(now, KEY), "event-data": UNTRUSTED_EVENT }),
  events: [
    { fixture: "accepted", expect: { type: "accepted" } },
    { fixture: "delivered", expect: { type: "delivered" } },
    { fixture: "failed-permanent", expect: { type: "bounced", bounceClass: "hard" } },
    { fixture: "failed-suppress-bounce", expect: { type: "bounced", bounceClass: "hard" } },
    { fixture: "failed-temporary", expect: { type: "bounced", bounceClass: "soft" } },
    { fixture: "opened", expect: { type: "opened" } },
    { fixture: "clicked", expect: { type: "clicked" } },
    { fixture: "unsubscribed", expect: { type: "unsubscribed" } },
    { fixture: "complained", expect: { type: "complained" } },
  ],
};
