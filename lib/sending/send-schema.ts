import { z } from "zod";
import { EMAIL_TYPES, PROVIDER_KINDS } from "../providers/provider-kind";
import { parseAddress, formatAddress } from "./addresses";
import { storableDateTime } from "../validation";

/** Per request: each `to` address becomes its own copy (design.md, "Recipients: one copy each"). */
export const MAX_RECIPIENTS_PER_REQUEST = 1000;
/** Postmark's per-message tag limit is one tag of ≤1,000 chars; Mailgun allows 3 tags per message. */
const MAX_TAGS = 10;
const NO_CRLF = /^[^\r\n]*$/;
/**
 * Header names: RFC 7230 tokens (a subset of RFC 5322's printable ASCII without colon). They become MIME header names
 * and Mailgun `h:` multipart field names, where quotes, parentheses or slashes would need escaping nobody does.
 */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Metadata keys become Postmark JSON keys and Mailgun `v:` multipart field names: letters, digits, `_ - .` only. */
const METADATA_KEY = /^[A-Za-z0-9_.-]+$/;
/** File names go into Content-Disposition: no control characters, quotes, backslashes or path separators. */
const FILENAME = /^[^\u0000-\u001f\u007f"\\/]+$/;
/** Headers the API sets from its own fields; setting them through `headers` would contradict those fields. */
const RESERVED_HEADERS = new Set(["from", "to", "cc", "bcc", "subject", "reply-to", "sender", "message-id", "date", "content-type", "mime-version", "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post"]);

const address = (label: string) =>
  z
    .string()
    .max(320 + 200)
    .transform((value, ctx) => {
      const parsed = parseAddress(value);
      if (!parsed) {
        ctx.addIssue({ code: "custom", message: `${label} is not a valid email address: ${JSON.stringify(value.slice(0, 100))}` });
        return z.NEVER;
      }
      return formatAddress(parsed);
    });

/**
 * `to` (up to 1,000 addresses) in one pass: parse and normalize each address, and refuse the same mailbox twice
 * ("Jane <jane@x.com>" and "JANE@x.com" are one: the bare, lower-cased address), naming each bad one by its index.
 * One loop rather than a zod transform per element plus a second parse of every address for the duplicate check.
 */
function toAddresses(list: string[], ctx: z.RefinementCtx): string[] {
  const out: string[] = new Array(list.length);
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const value = list[i]!;
    const parsed = parseAddress(value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", path: [i], message: `to is not a valid email address: ${JSON.stringify(value.slice(0, 100))}` });
      continue;
    }
    const key = parsed.email.toLowerCase();
    if (seen.has(key)) ctx.addIssue({ code: "custom", path: [i], message: `to lists ${key} more than once` });
    seen.add(key);
    out[i] = formatAddress(parsed);
  }
  return out;
}

/** One address as the send API accepts it (`addr` or `Name <addr>`), normalized; `label` names it in errors. */
export const emailAddressSchema = address;

/** A string or an array of strings; a string is a list of one, so every bad address is named by its index. */
const asList = (v: unknown) => (typeof v === "string" ? [v] : v);
const addressList = (label: string, max: number) =>
  z.preprocess(asList, z.array(address(label)).max(max, `At most ${max} ${label} addresses per request`).optional()).transform((v) => v ?? []);

const base64 = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9+/\r\n]*={0,2}$/, "content must be base64");

export const sendEmailSchema = z
  .object({
    provider: z.enum(PROVIDER_KINDS).optional(),
    type: z.enum(EMAIL_TYPES).default("transactional"),
    from: address("from"),
    to: z.preprocess(
      asList,
      z
        .array(z.string().max(320 + 200))
        .min(1, "to needs at least one address")
        .max(MAX_RECIPIENTS_PER_REQUEST, `At most ${MAX_RECIPIENTS_PER_REQUEST} recipients per request`)
        .transform(toAddresses),
    ),
    cc: addressList("cc", 50),
    bcc: addressList("bcc", 50),
    reply_to: address("reply_to").optional(),
    subject: z.string().min(1, "subject is required").max(998).regex(NO_CRLF, "subject must not contain line breaks"),
    html_body: z.string().min(1).optional(),
    text_body: z.string().min(1).optional(),
    track_opens: z.boolean().optional(),
    track_links: z.boolean().optional(),
    tags: z.array(z.string().trim().min(1).max(128).regex(NO_CRLF, "tags must not contain line breaks")).max(MAX_TAGS).default([]),
    campaign_id: z.string().trim().min(1).max(200).optional(),
    headers: z
      .record(
        z.string().max(100).regex(HEADER_NAME, "header names are letters, digits and !#$%&'*+.^_`|~- (RFC 7230 tokens)").refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()), "this header is set from its own field"),
        z.string().max(2000).regex(NO_CRLF, "header values must not contain line breaks"),
      )
      .default({}),
    metadata: z
      .record(
        z
          .string()
          .min(1)
          .max(100)
          .regex(METADATA_KEY, "metadata keys are letters, digits, _, - and . only")
          .refine((k) => !k.toLowerCase().startsWith("pm_"), "metadata keys starting with pm_ are reserved"),
        z.string().max(1000),
      )
      .refine((m) => Object.keys(m).length <= 50, "At most 50 metadata keys")
      .default({}),
    attachments: z
      .array(
        z.object({
          filename: z.string().min(1).max(255).regex(FILENAME, "filename must not contain control characters, quotes, backslashes or slashes"),
          content: base64,
          content_type: z.string().min(3).max(255).regex(/^[\w.+-]+\/[\w.+-]+$/, "content_type must be a MIME type like application/pdf"),
          content_id: z.string().max(255).regex(NO_CRLF).optional(),
        }),
      )
      .max(50)
      .default([]),
    send_at: storableDateTime().optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.html_body && !v.text_body) ctx.addIssue({ code: "custom", path: ["html_body"], message: "html_body or text_body is required" });
    if ((v.cc.length || v.bcc.length) && v.to.length > 1) {
      ctx.addIssue({ code: "custom", path: [v.cc.length ? "cc" : "bcc"], message: "cc and bcc are accepted only with a single to address (each to address gets its own copy)" });
    }
  });

export type SendEmailInput = z.output<typeof sendEmailSchema>;
