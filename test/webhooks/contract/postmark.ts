import { loadFixture } from "@/test/fixtures/webhooks/load-fixture";
import { METADATA_KEYS } from "@/lib/providers/correlation";
import type { WebhookContractFixtures } from "./types";

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
const post = (url: string, body: string, authorization?: string) =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) }, body });
let bounceId = 900_000;
const UNTRUSTED = JSON.stringify({ RecordType: "Bounce", ID: "not-a-number-and-no-MessageID" });

/** Postmark: per-workspace basic auth in the URL the operator pastes (§4.1); one record per request. */
export const postmarkContract: WebhookContractFixtures = {
  connectBody: { api_token: "pm-server-token" },
  providerMessageId: (n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  body: (fixture, copy) => {
    const body = loadFixture(`postmark/${fixture}`);
    const address = { Recipient: copy.email, Email: copy.email };
    return {
      ...body,
      ...Object.fromEntries(Object.entries(address).filter(([k]) => k in body)),
      MessageID: copy.providerMessageId,
      // Bounce and SpamComplaint records carry Postmark's own id: one per copy here, as Postmark issues them.
      ...("ID" in body ? { ID: ++bounceId } : {}),
      Metadata: { [METADATA_KEYS.messageId]: copy.messageId, [METADATA_KEYS.recipientId]: copy.recipientId },
    };
  },
  authentic: (url, body, webhook) => post(url, JSON.stringify(body), basic(String(webhook.username), String(webhook.password))),
  forged: (url, webhook) => post(url, UNTRUSTED, basic(String(webhook.username), "wrong-password")),
  unauthenticated: (url) => post(url, UNTRUSTED),
  invalid: (url, webhook) => post(url, JSON.stringify({ RecordType: "Delivery", Recipient: 42 }), basic(String(webhook.username), String(webhook.password))),
  events: [
    { fixture: "delivery", expect: { type: "delivered" } },
    { fixture: "bounce-hard", expect: { type: "bounced", bounceClass: "hard" } },
    { fixture: "bounce-soft", expect: { type: "bounced", bounceClass: "soft" } },
    { fixture: "spam-complaint", expect: { type: "complained" } },
    { fixture: "open", expect: { type: "opened" } },
    { fixture: "click", expect: { type: "clicked" } },
    { fixture: "subscription-change", expect: { type: "unsubscribed" } },
    { fixture: "subscription-change-hard-bounce", expect: { type: "bounced", bounceClass: "hard" } },
    { fixture: "subscription-change-resubscribe", expect: "ignored" },
  ],
};
