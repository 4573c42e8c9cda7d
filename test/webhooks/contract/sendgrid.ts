import { loadFixture } from "@/test/fixtures/webhooks/load-fixture";
import { METADATA_KEYS } from "@/lib/providers/correlation";
import { sendgridKeyPair, signedWebhookHeaders } from "@/test/emulators/sendgrid-emulator";
import type { WebhookContractFixtures } from "./types";

/** Generated here, as SendGrid generates one per Signed Event Webhook; the app is given only the public half. */
const KEY = sendgridKeyPair();
const FORGER = sendgridKeyPair();
let eventCounter = 0;

/** SendGrid posts the JSON array as is and signs the timestamp header followed by exactly those bytes. */
const post = (url: string, raw: string, headers: Record<string, string> = {}) =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: raw });
const signedPost = (url: string, body: unknown, privateKey = KEY.privateKey, at = new Date()) => {
  const raw = JSON.stringify(body);
  return post(url, raw, signedWebhookHeaders(privateKey, raw, at));
};

const UNTRUSTED = [{ event: 42, timestamp: "yesterday" }];

/** SendGrid: a batch of events per POST, ECDSA P-256 over timestamp + raw body (the Event Webhook security docs). */
export const sendgridContract: WebhookContractFixtures = {
  connectBody: { api_key: "SG.contract-key", default_sender: "ops@example.com", webhook_verification_key: KEY.verificationKey },
  providerMessageId: (n) => `ContractMsg${String(n).padStart(11, "0")}`,
  body: (fixture, copy, now) =>
    loadFixture<Array<Record<string, unknown>>>(`sendgrid/${fixture}`).map((event) => ({
      ...event,
      email: copy.email,
      timestamp: Math.floor(now.getTime() / 1000),
      // SendGrid gives every event its own id: one per copy here, so two copies' events never merge.
      sg_event_id: `${String(event.sg_event_id)}-${copy.recipientId}-${++eventCounter}`,
      sg_message_id: `${copy.providerMessageId}.filterdrecv-contract-1-0.0`,
      // custom_args arrive as top-level keys of each event.
      [METADATA_KEYS.messageId]: copy.messageId,
      [METADATA_KEYS.recipientId]: copy.recipientId,
    })),
  authentic: (url, body, _webhook, now) => signedPost(url, body, KEY.privateKey, now),
  forged: (url, _webhook, now) => signedPost(url, UNTRUSTED, FORGER.privateKey, now),
  unauthenticated: (url) => post(url, JSON.stringify(UNTRUSTED)),
  invalid: (url, _webhook, now) => signedPost(url, UNTRUSTED, KEY.privateKey, now),
  events: [
    { fixture: "delivered", expect: { type: "delivered" } },
    { fixture: "processed", expect: { type: "accepted" } },
    { fixture: "deferred", expect: { type: "bounced", bounceClass: "soft" } },
    { fixture: "bounce", expect: { type: "bounced", bounceClass: "hard" } },
    { fixture: "bounce-blocked", expect: { type: "bounced", bounceClass: "soft" } },
    { fixture: "dropped-bounced-address", expect: { type: "bounced", bounceClass: "hard" } },
    { fixture: "dropped-invalid-smtpapi", expect: { type: "failed" } },
    { fixture: "open", expect: { type: "opened" } },
    { fixture: "open-machine", expect: { type: "opened" } },
    { fixture: "click", expect: { type: "clicked" } },
    { fixture: "spamreport", expect: { type: "complained" } },
    { fixture: "unsubscribe", expect: { type: "unsubscribed" } },
    { fixture: "group-unsubscribe", expect: { type: "unsubscribed" } },
    { fixture: "group-resubscribe", expect: "ignored" },
  ],
};
