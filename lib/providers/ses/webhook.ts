/**
 * SES event publishing through SNS (SES Developer Guide, "Examples of event data that Amazon SES publishes to Amazon
 * SNS" and "Contents of event data"): each SNS Notification's `Message` is one event's JSON — `eventType` (or
 * `notificationType` for identity feedback notifications), the `mail` object with our ids in `mail.tags`, and the
 * event's own object. Pure: the SNS signature has been verified before (sns.ts), the clock is injected.
 */
import { z } from "zod";
import { isStorableDate } from "@/lib/validation";
import { readOurIds } from "../correlation";
import { compact, zodIssues } from "../kit/payload-validation";
import { WebhookPayloadError } from "../kit/webhook-payload-error";
import type { BounceClass, NormalizedEvent, NormalizedEventType, WebhookParseResult } from "../normalized-event";
import { snsEnvelopeSchema, type SnsEnvelope } from "./sns";
import { tagsFromSes } from "./tags";

const isoDate = z.string().max(64).refine((v) => isStorableDate(new Date(v)), "not an ISO 8601 timestamp");
const address = z.string().max(320);
const recipientList = z.array(z.object({ emailAddress: address }).passthrough()).max(100);

const mailSchema = z
  .object({
    timestamp: isoDate,
    messageId: z.string().min(1).max(256),
    source: z.string().max(1000).optional(),
    destination: z.array(address).max(100).default([]),
    tags: z.record(z.string(), z.array(z.string().max(256))).optional(),
  })
  .passthrough();

export const SES_EVENT_NAMES = ["Send", "Delivery", "Bounce", "Complaint", "Reject", "DeliveryDelay", "Subscription", "Open", "Click", "Rendering Failure"] as const;
type SesEventName = (typeof SES_EVENT_NAMES)[number];

const eventSchema = z
  .object({
    eventType: z.string().max(64).optional(),
    notificationType: z.string().max(64).optional(),
    mail: mailSchema,
    send: z.object({}).passthrough().optional(),
    delivery: z.object({ timestamp: isoDate.optional(), recipients: z.array(address).max(100).default([]), smtpResponse: z.string().max(2000).optional(), reportingMTA: z.string().max(500).optional(), processingTimeMillis: z.number().optional() }).passthrough().optional(),
    bounce: z
      .object({ bounceType: z.string().max(64), bounceSubType: z.string().max(64).optional(), bouncedRecipients: z.array(z.object({ emailAddress: address, action: z.string().max(64).optional(), status: z.string().max(64).optional(), diagnosticCode: z.string().max(2000).optional() }).passthrough()).max(100), timestamp: isoDate.optional(), feedbackId: z.string().max(256).optional(), reportingMTA: z.string().max(500).optional() })
      .passthrough()
      .optional(),
    complaint: z.object({ complainedRecipients: recipientList, timestamp: isoDate.optional(), feedbackId: z.string().max(256).optional(), complaintFeedbackType: z.string().max(64).optional(), complaintSubType: z.string().max(64).nullish(), userAgent: z.string().max(1000).optional() }).passthrough().optional(),
    reject: z.object({ reason: z.string().max(1000).optional() }).passthrough().optional(),
    deliveryDelay: z.object({ timestamp: isoDate.optional(), delayType: z.string().max(64).optional(), expirationTime: z.string().max(64).optional(), delayedRecipients: z.array(z.object({ emailAddress: address, status: z.string().max(64).optional(), diagnosticCode: z.string().max(2000).optional() }).passthrough()).max(100).default([]) }).passthrough().optional(),
    subscription: z.object({ contactList: z.string().max(256).optional(), timestamp: isoDate.optional(), newTopicPreferences: z.object({ unsubscribeAll: z.boolean().optional(), topicSubscriptionStatus: z.array(z.object({ topicName: z.string().max(256), subscriptionStatus: z.string().max(32) }).passthrough()).max(100).optional() }).passthrough().optional() }).passthrough().optional(),
    open: z.object({ timestamp: isoDate.optional(), ipAddress: z.string().max(64).optional(), userAgent: z.string().max(2000).optional() }).passthrough().optional(),
    click: z.object({ timestamp: isoDate.optional(), ipAddress: z.string().max(64).optional(), userAgent: z.string().max(2000).optional(), link: z.string().max(8000) }).passthrough().optional(),
    failure: z.object({ errorMessage: z.string().max(2000).optional(), templateName: z.string().max(256).optional() }).passthrough().optional(),
  })
  .passthrough()
  .refine((e) => e.eventType !== undefined || e.notificationType !== undefined, "an SES event names its eventType (or notificationType)");
type SesEvent = z.infer<typeof eventSchema>;

/** One recipient of an event and what it becomes. */
interface Outcome {
  recipient: string;
  type: NormalizedEventType;
  bounceClass?: BounceClass;
  at: string | undefined;
  details: Record<string, unknown>;
  url?: string;
}

/**
 * Bounce: `Permanent` → hard (the address is bad; SES suppresses it too), `Transient` and `Undetermined` → soft.
 * DeliveryDelay is a temporary failure SES keeps retrying: a soft bounce, as for the other ESPs (not `deferred`,
 * which would re-queue and send twice). Reject (a virus) and Rendering Failure are failures without a verdict on the
 * address. A Subscription event that opts out (all topics, or one) is an unsubscribe; an opt-in is ignored (our
 * suppression list stays the authority).
 */
function outcomes(name: SesEventName, e: SesEvent, first: string): Outcome[] | { ignore: string } {
  const mailAt = e.mail.timestamp;
  switch (name) {
    case "Send":
      return [{ recipient: first, type: "accepted", at: mailAt, details: {} }];
    case "Delivery": {
      const d = need(e.delivery, "delivery");
      const list = d.recipients.length ? d.recipients : [first];
      return list.map((r) => ({ recipient: r, type: "delivered", at: d.timestamp, details: compact({ smtpResponse: d.smtpResponse, reportingMTA: d.reportingMTA, processingTimeMillis: d.processingTimeMillis }) }));
    }
    case "Bounce": {
      const b = need(e.bounce, "bounce");
      const bounceClass: BounceClass = b.bounceType === "Permanent" ? "hard" : "soft";
      const list = b.bouncedRecipients.length ? b.bouncedRecipients : [{ emailAddress: first }];
      return list.map((r) =>
        ({
          recipient: r.emailAddress,
          type: "bounced" as const,
          bounceClass,
          at: b.timestamp,
          details: compact({ bounceType: b.bounceType, bounceSubType: b.bounceSubType, action: (r as { action?: string }).action, status: (r as { status?: string }).status, diagnosticCode: (r as { diagnosticCode?: string }).diagnosticCode, feedbackId: b.feedbackId, reportingMTA: b.reportingMTA }),
        }),
      );
    }
    case "Complaint": {
      const c = need(e.complaint, "complaint");
      const list = c.complainedRecipients.length ? c.complainedRecipients : [{ emailAddress: first }];
      return list.map((r) => ({ recipient: r.emailAddress, type: "complained", at: c.timestamp, details: compact({ complaintFeedbackType: c.complaintFeedbackType, complaintSubType: c.complaintSubType, feedbackId: c.feedbackId, userAgent: c.userAgent }) }));
    }
    case "Reject":
      return [{ recipient: first, type: "failed", at: mailAt, details: compact({ reason: e.reject?.reason }) }];
    case "Rendering Failure":
      return [{ recipient: first, type: "failed", at: mailAt, details: compact({ reason: e.failure?.errorMessage, templateName: e.failure?.templateName }) }];
    case "DeliveryDelay": {
      const d = need(e.deliveryDelay, "deliveryDelay");
      const list = d.delayedRecipients.length ? d.delayedRecipients : [{ emailAddress: first }];
      return list.map((r) =>
        ({
          recipient: r.emailAddress,
          type: "bounced" as const,
          bounceClass: "soft" as const,
          at: d.timestamp,
          details: compact({ delayType: d.delayType, expirationTime: d.expirationTime, status: (r as { status?: string }).status, diagnosticCode: (r as { diagnosticCode?: string }).diagnosticCode }),
        }),
      );
    }
    case "Subscription": {
      const s = need(e.subscription, "subscription");
      const prefs = s.newTopicPreferences;
      const optedOut = prefs?.unsubscribeAll === true || (prefs?.topicSubscriptionStatus ?? []).some((t) => t.subscriptionStatus === "OptOut");
      if (!optedOut) return { ignore: "SES Subscription opt-in: our suppression list is kept; an operator lifts it" };
      return [{ recipient: first, type: "unsubscribed", at: s.timestamp, details: compact({ contactList: s.contactList, unsubscribeAll: prefs?.unsubscribeAll, topics: prefs?.topicSubscriptionStatus }) }];
    }
    case "Open": {
      const o = need(e.open, "open");
      return [{ recipient: first, type: "opened", at: o.timestamp, details: compact({ ip: o.ipAddress, userAgent: o.userAgent }) }];
    }
    case "Click": {
      const c = need(e.click, "click");
      return [{ recipient: first, type: "clicked", at: c.timestamp, url: c.link, details: compact({ ip: c.ipAddress, userAgent: c.userAgent }) }];
    }
  }
}

function need<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new WebhookPayloadError("ses", `The SES event has no "${field}" object`, [{ path: `Message.${field}`, message: "Required" }]);
  return value;
}

const isSesEventName = (v: string): v is SesEventName => (SES_EVENT_NAMES as readonly string[]).includes(v);

/** The SNS envelope (its signature already verified) → normalized events; a structurally invalid one throws. */
export function parseSesWebhook(body: unknown, options: { receivedAt: Date }): WebhookParseResult {
  const envelope = snsEnvelopeSchema.safeParse(body);
  if (!envelope.success) throw new WebhookPayloadError("ses", "An SES webhook is an SNS message (Type, MessageId, TopicArn, Message …)", zodIssues(envelope.error));
  const m: SnsEnvelope = envelope.data;
  if (m.Type !== "Notification") return { events: [], ignoredReason: `SNS ${m.Type} for ${m.TopicArn}: nothing to store` };
  let message: unknown;
  try {
    message = JSON.parse(m.Message);
  } catch {
    throw new WebhookPayloadError("ses", "The SNS Message is not an SES event (not JSON)", [{ path: "Message", message: "not JSON" }]);
  }
  if (message && typeof message === "object" && (message as { notificationType?: unknown }).notificationType === "AmazonSnsSubscriptionSucceeded") {
    return { events: [], ignoredReason: "SES test notification (AmazonSnsSubscriptionSucceeded)" };
  }
  const parsed = eventSchema.safeParse(message);
  if (!parsed.success) throw new WebhookPayloadError("ses", "The SNS Message is not a valid SES event", zodIssues(parsed.error).map((i) => ({ ...i, path: `Message.${i.path}` })));
  const e = parsed.data;
  const name = (e.eventType ?? e.notificationType)!;
  if (!isSesEventName(name)) return { events: [], ignoredReason: `SES event type "${name.slice(0, 40)}" is not one we record` };
  const first = e.mail.destination[0] ?? "";
  const result = outcomes(name, e, first);
  if ("ignore" in result) return { events: [], ignoredReason: result.ignore };
  // Our ids: the first value of each tag (SES posts tags as name → [values]).
  const tags = e.mail.tags ?? {};
  const ids = readOurIds(Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, v[0]])));
  const userTags = tagsFromSes(tags);
  const events = result.map((o, i): NormalizedEvent => {
    const at = new Date(o.at ?? e.mail.timestamp);
    return {
      provider: "ses",
      type: o.type,
      ...(o.bounceClass ? { bounceClass: o.bounceClass } : {}),
      occurredAt: isStorableDate(at) ? at : options.receivedAt,
      recipient: o.recipient.trim().toLowerCase(),
      providerMessageId: e.mail.messageId,
      ...ids,
      ...(o.url ? { url: o.url } : {}),
      // The SNS MessageId is unique per notification and kept when SNS retries it; one per listed recipient.
      dedupKey: `ses:${m.MessageId}:${i}`,
      details: compact({ event: name, snsMessageId: m.MessageId, topicArn: m.TopicArn, sesMessageId: e.mail.messageId, tags: userTags.length ? userTags : undefined, configurationSet: tags["ses:configuration-set"]?.[0], ...o.details }),
      raw: message,
    };
  });
  return { events };
}
