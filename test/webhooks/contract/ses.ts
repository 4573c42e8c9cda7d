import { randomUUID } from "node:crypto";
import { loadFixture } from "@/test/fixtures/webhooks/load-fixture";
import { METADATA_KEYS } from "@/lib/providers/correlation";
import { forgerKeyPem, signSnsEnvelope, SNS_TEST_PKI, startSnsEmulator, type SnsEnvelope } from "@/test/emulators/sns-emulator";
import type { WebhookContractFixtures } from "./types";

/**
 * The SNS side (the signing certificate over HTTPS on localhost, trusted through the test CA): started once for this
 * module and never closed (unref'd), as SNS is always there.
 */
const sns = await startSnsEmulator({ unref: true });
const FORGER = forgerKeyPem();

/** SNS posts its JSON as text/plain. */
const post = (url: string, raw: string) => new Request(url, { method: "POST", headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" }, body: raw });
const signed = (envelope: SnsEnvelope, privateKeyPem = SNS_TEST_PKI.signingKey()) => signSnsEnvelope(envelope, { privateKeyPem, certUrl: sns.certUrl });
const notification = (message: unknown, now = new Date()): SnsEnvelope => ({
  Type: "Notification",
  MessageId: randomUUID(),
  TopicArn: sns.topicArn,
  Message: typeof message === "string" ? message : JSON.stringify(message),
  Timestamp: now.toISOString(),
});

/** An SES event that is not one (no mail object): refused with 400 when authentic. */
const UNTRUSTED = { eventType: "Bounce", mail: { messageId: 42 } };

/** SES event publishing through SNS: one event per Notification, signed by SNS (SignatureVersion 1, SHA1withRSA). */
export const sesContract: WebhookContractFixtures = {
  connectBody: { region: "us-east-1", access_key_id: "AKIACONTRACT00000000", secret_access_key: "contract-secret-access-key-000", configuration_set: "pm-events", default_sender: "ops@example.com", sns_topic_arn: sns.topicArn },
  providerMessageId: (n) => `0100018c0000${String(n).padStart(4, "0")}-contract-0000-0000-000000000000-000000`,
  body: (fixture, copy, now) => {
    const event = loadFixture<Record<string, any>>(`ses/${fixture}`); // eslint-disable-line @typescript-eslint/no-explicit-any -- fixture JSON
    event.mail.messageId = copy.providerMessageId;
    event.mail.destination = [copy.email];
    event.mail.timestamp = now.toISOString();
    // Our ids travel in EmailTags; SES posts them back under mail.tags as name → [value].
    event.mail.tags = { ...event.mail.tags, [METADATA_KEYS.messageId]: [copy.messageId], [METADATA_KEYS.recipientId]: [copy.recipientId] };
    for (const list of [event.bounce?.bouncedRecipients, event.complaint?.complainedRecipients, event.deliveryDelay?.delayedRecipients]) {
      for (const r of list ?? []) r.emailAddress = copy.email;
    }
    if (event.delivery) event.delivery.recipients = [copy.email];
    // The SNS envelope, unsigned: the same body posted twice is SNS retrying one MessageId.
    return notification(event, now);
  },
  authentic: (url, body) => post(url, JSON.stringify(signed(body as SnsEnvelope))),
  forged: (url, _webhook, now) => post(url, JSON.stringify(signed(notification(UNTRUSTED, now), FORGER))),
  unauthenticated: (url, now) => post(url, JSON.stringify(notification(UNTRUSTED, now))),
  invalid: (url, _webhook, now) => post(url, JSON.stringify(signed(notification(UNTRUSTED, now)))),
  events: [
    { fixture: "send", expect: { type: "accepted" } },
    { fixture: "delivery", expect: { type: "delivered" } },
    { fixture: "bounce-permanent", expect: { type: "bounced", bounceClass: "hard" } },
    { fixture: "bounce-suppressed", expect: { type: "bounced", bounceClass: "hard" } },
    { fixture: "bounce-transient", expect: { type: "bounced", bounceClass: "soft" } },
    { fixture: "delivery-delay", expect: { type: "bounced", bounceClass: "soft" } },
    { fixture: "complaint", expect: { type: "complained" } },
    { fixture: "reject", expect: { type: "failed" } },
    { fixture: "rendering-failure", expect: { type: "failed" } },
    { fixture: "open", expect: { type: "opened" } },
    { fixture: "click", expect: { type: "clicked" } },
    { fixture: "subscription-unsubscribe", expect: { type: "unsubscribed" } },
    { fixture: "subscription-optin", expect: "ignored" },
  ],
};
