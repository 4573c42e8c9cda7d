/**
 * Postmark webhooks (esp-contracts.md §4): authentication and normalization. Pure functions; the route does the I/O.
 */
import { z } from "zod";
import { constantTimeEqual } from "@/lib/crypto/constant-time";
import { readOurIds } from "../correlation";
import { payloadDedupKey } from "../kit/dedup-key";
import { WebhookPayloadError } from "../kit/webhook-payload-error";
import { classifyPostmarkBounce } from "./bounce-types";
import { compact, parseIsoTimestamp, zodIssues } from "../kit/payload-validation";
import type { NormalizedEvent, WebhookParseResult } from "../normalized-event";

export interface BasicAuthCredentials {
  username: string;
  password: string;
}

/**
 * Postmark has no HMAC: it sends the per-workspace credentials as HTTP Basic auth (§4.1). Both parts are compared in
 * constant time and without short-circuiting, so the response time says nothing about which part was wrong.
 * Empty expected credentials never authenticate: a half-configured workspace must not accept anonymous posts.
 */
export function authenticatePostmark(authorizationHeader: string | null, expected: BasicAuthCredentials): boolean {
  if (!expected.username || !expected.password || !authorizationHeader) return false;
  const match = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorizationHeader);
  if (!match) return false;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":"); // RFC 7617: the user-id cannot contain ":", the password can
  if (colon < 0) return false;
  const userOk = constantTimeEqual(decoded.slice(0, colon), expected.username);
  const passOk = constantTimeEqual(decoded.slice(colon + 1), expected.password);
  return userOk && passOk;
}

// Casing caveat (§4.2): ServerID in the SDK types, ServerId in Postmark's own example. Accept both.
const serverIdSchema = z.union([z.number(), z.string()]).nullish();
/**
 * Bounds on what we store and index (events.dedup_key, events.recipient_email, suppressions.email): an address is at
 * most 320 characters (RFC 5321: 64 + 1 + 255), ids far less; longer values are not Postmark's and answer 400 instead
 * of failing the insert (a 500 would make Postmark retry the same body for hours).
 */
const address = z.string().max(320);
const id = z.string().max(256);

const commonFields = {
  RecordType: z.string().max(100),
  MessageID: id.nullish(),
  ServerID: serverIdSchema,
  ServerId: serverIdSchema,
  MessageStream: z.string().nullish(),
  Tag: z.string().nullish(),
  Metadata: z.record(z.string(), z.unknown()).nullish(),
};

const deliverySchema = z.object({
  ...commonFields,
  MessageID: id,
  Recipient: address,
  DeliveredAt: z.string().nullish(),
  Details: z.string().nullish(),
});

// §4.3: every field except RecordType, ID, MessageID, Type and TypeCode may be missing (the Unsubscribe variant).
const bounceSchema = z.object({
  ...commonFields,
  ID: z.union([z.number(), z.string().max(100)]),
  MessageID: id,
  Type: z.string().max(100),
  TypeCode: z.number(),
  Name: z.string().nullish(),
  Email: address.nullish(),
  BouncedAt: z.string().nullish(),
  Description: z.string().nullish(),
  Details: z.string().nullish(),
  Inactive: z.boolean().nullish(),
  CanActivate: z.boolean().nullish(),
  Subject: z.string().nullish(),
});

const engagementFields = {
  ...commonFields,
  MessageID: id,
  Recipient: address,
  ReceivedAt: z.string().nullish(),
  Platform: z.string().nullish(),
  UserAgent: z.string().nullish(),
  Client: z.unknown().optional(),
  OS: z.unknown().optional(),
  Geo: z.unknown().optional(),
};
const openSchema = z.object({ ...engagementFields, FirstOpen: z.boolean().nullish(), ReadSeconds: z.number().nullish() });
const clickSchema = z.object({ ...engagementFields, OriginalLink: z.string(), ClickLocation: z.string().nullish() });

const subscriptionChangeSchema = z.object({
  ...commonFields,
  Recipient: address,
  SuppressSending: z.boolean(),
  SuppressionReason: z.string().nullish(),
  Origin: z.string().nullish(),
  ChangedAt: z.string().nullish(),
});

export interface PostmarkParseOptions {
  /** When the request arrived: the fallback `occurredAt` for records without a timestamp. Defaults to now. */
  receivedAt?: Date;
}

type Common = z.infer<z.ZodObject<typeof commonFields>>;

/** One record per request (§4.1). Unknown RecordType → [] (see parsePostmarkWebhookWithReason for the reason). */
export function parsePostmarkWebhook(body: unknown, options: PostmarkParseOptions = {}): NormalizedEvent[] {
  return parsePostmarkWebhookWithReason(body, options).events;
}

export function parsePostmarkWebhookWithReason(body: unknown, options: PostmarkParseOptions = {}): WebhookParseResult {
  const receivedAt = options.receivedAt ?? new Date();
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new WebhookPayloadError("postmark", "Postmark webhook body must be a JSON object");
  }
  const recordType = (body as Record<string, unknown>).RecordType;
  if (recordType === undefined && "FromFull" in body) {
    // ANYMAIL's tell for Postmark's *inbound* hook pointed at the tracking URL (§4.3, last note).
    return { events: [], ignoredReason: "Postmark inbound message posted to the tracking webhook (misconfigured hook)" };
  }
  if (typeof recordType !== "string") {
    throw new WebhookPayloadError("postmark", "Postmark webhook body has no RecordType", [
      { path: "RecordType", message: "expected a string" },
    ]);
  }
  const ctx = { body, receivedAt };
  switch (recordType) {
    case "Delivery":
      return { events: [deliveryEvent(validate(deliverySchema, body), ctx)] };
    case "Bounce":
    case "SpamComplaint":
      return bounceEvents(validate(bounceSchema, body), ctx);
    case "Open":
      return { events: [openEvent(validate(openSchema, body), ctx)] };
    case "Click":
      return { events: [clickEvent(validate(clickSchema, body), ctx)] };
    case "SubscriptionChange":
      return subscriptionChangeEvents(validate(subscriptionChangeSchema, body), ctx);
    default:
      return { events: [], ignoredReason: `Unknown Postmark RecordType "${recordType}"` };
  }
}

interface ParseContext {
  body: object;
  receivedAt: Date;
}

function validate<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new WebhookPayloadError("postmark", "Invalid Postmark webhook payload", zodIssues(result.error));
}

function timestamp(value: string | null | undefined, ctx: ParseContext): Date {
  return parseIsoTimestamp(value, ctx.receivedAt, "postmark");
}

/** The fields every record shares; `recipient` and `occurredAt` are per record type. */
function baseEvent(record: Common, ctx: ParseContext, recipient: string | null | undefined) {
  return {
    provider: "postmark" as const,
    recipient: (recipient ?? "").trim().toLowerCase(),
    ...(record.MessageID ? { providerMessageId: record.MessageID } : {}),
    ...readOurIds(record.Metadata),
    raw: ctx.body,
  };
}

function commonDetails(record: Common): Record<string, unknown> {
  return compact({
    recordType: record.RecordType,
    serverId: record.ServerID ?? record.ServerId,
    messageStream: record.MessageStream,
    tag: record.Tag,
    metadata: record.Metadata,
  });
}

/** Records without an ESP id are keyed by a hash of the whole payload (design.md "Webhooks"). */
function hashedDedupKey(record: Common, ctx: ParseContext): string {
  return payloadDedupKey(`postmark:${record.RecordType}`, ctx.body);
}

function deliveryEvent(record: z.infer<typeof deliverySchema>, ctx: ParseContext): NormalizedEvent {
  return {
    ...baseEvent(record, ctx, record.Recipient),
    type: "delivered",
    occurredAt: timestamp(record.DeliveredAt, ctx),
    dedupKey: hashedDedupKey(record, ctx),
    details: { ...commonDetails(record), ...compact({ smtpResponse: record.Details }) },
  };
}

function bounceEvents(record: z.infer<typeof bounceSchema>, ctx: ParseContext): WebhookParseResult {
  // A SpamComplaint record is a complaint whatever its Type/TypeCode say (§4.3 caveat on TypeCode 512).
  const verdict =
    record.RecordType === "SpamComplaint"
      ? { type: "complained" as const, known: true }
      : classifyPostmarkBounce(record.Type, record.TypeCode);
  if ("ignore" in verdict) return { events: [], ignoredReason: verdict.ignore };
  const event: NormalizedEvent = {
    ...baseEvent(record, ctx, record.Email),
    type: verdict.type,
    ...("bounceClass" in verdict ? { bounceClass: verdict.bounceClass } : {}),
    occurredAt: timestamp(record.BouncedAt, ctx),
    // Bounce and SpamComplaint carry Postmark's own record id (§4.3); a retry repeats it.
    dedupKey: `postmark:${record.RecordType}:${record.ID}`,
    details: {
      ...commonDetails(record),
      ...compact({
        bounceId: record.ID,
        bounceType: record.Type,
        typeCode: record.TypeCode,
        name: record.Name,
        description: record.Description,
        smtpResponse: record.Details,
        inactive: record.Inactive,
        canActivate: record.CanActivate,
        subject: record.Subject,
      }),
      ...(verdict.known ? {} : { unknownBounceType: true }),
    },
  };
  return { events: [event] };
}

function engagementDetails(record: z.infer<typeof openSchema> | z.infer<typeof clickSchema>): Record<string, unknown> {
  return compact({
    userAgent: record.UserAgent,
    platform: record.Platform,
    client: record.Client,
    os: record.OS,
    geo: record.Geo,
  });
}

function openEvent(record: z.infer<typeof openSchema>, ctx: ParseContext): NormalizedEvent {
  return {
    ...baseEvent(record, ctx, record.Recipient),
    type: "opened",
    occurredAt: timestamp(record.ReceivedAt, ctx),
    dedupKey: hashedDedupKey(record, ctx),
    details: {
      ...commonDetails(record),
      ...engagementDetails(record),
      ...compact({ firstOpen: record.FirstOpen, readSeconds: record.ReadSeconds }),
    },
  };
}

function clickEvent(record: z.infer<typeof clickSchema>, ctx: ParseContext): NormalizedEvent {
  return {
    ...baseEvent(record, ctx, record.Recipient),
    type: "clicked",
    url: record.OriginalLink,
    occurredAt: timestamp(record.ReceivedAt, ctx),
    dedupKey: hashedDedupKey(record, ctx),
    details: { ...commonDetails(record), ...engagementDetails(record), ...compact({ clickLocation: record.ClickLocation }) },
  };
}

/**
 * SuppressSending true: Postmark stopped sending to the address. The SuppressionReason says why (§4.3), and we keep
 * that meaning so our suppression carries the right reason (ANYMAIL does the same): HardBounce → bounced hard,
 * SpamComplaint → complained, ManualSuppression or anything else → unsubscribed.
 *
 * SuppressSending false (reason null) is a reactivation. Our suppression list is the authority and only an operator
 * lifts an entry, so a resubscribe is reported as ignored rather than mapped to an event that could lift it.
 */
function subscriptionChangeEvents(record: z.infer<typeof subscriptionChangeSchema>, ctx: ParseContext): WebhookParseResult {
  if (!record.SuppressSending) {
    return { events: [], ignoredReason: "Postmark SubscriptionChange reactivated the address; suppressions are lifted by an operator only" };
  }
  const byReason =
    record.SuppressionReason === "HardBounce"
      ? ({ type: "bounced", bounceClass: "hard" } as const)
      : record.SuppressionReason === "SpamComplaint"
        ? ({ type: "complained" } as const)
        : ({ type: "unsubscribed" } as const);
  const event: NormalizedEvent = {
    ...baseEvent(record, ctx, record.Recipient),
    ...byReason,
    occurredAt: timestamp(record.ChangedAt, ctx),
    dedupKey: hashedDedupKey(record, ctx),
    details: {
      ...commonDetails(record),
      ...compact({ suppressionReason: record.SuppressionReason, origin: record.Origin, suppressSending: record.SuppressSending }),
    },
  };
  return { events: [event] };
}
