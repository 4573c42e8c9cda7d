import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { messages, type RecipientStatus } from "@/db/schema";
import type { Database, DbOrTx } from "@/db";
import type { ProviderKind } from "../providers/provider-kind";
import { requireRole, type ServiceContext } from "../auth/context";
import { AppError, validationError } from "../errors";
import { providerModule } from "../providers/registry";
import { metrics } from "../metrics/metrics";
import { newId } from "../ids";
import { parseOrThrow } from "../validation";
import { addressKey, parseAddress } from "./addresses";
import { isSuppressedIn } from "../suppressions/is-suppressed";
import { resolveChain } from "./routing";
import { sendEmailSchema } from "./send-schema";
import { wakeDispatchers } from "./dispatch-signal";
import { loadSendConfig } from "./send-config";
import { suppressedAmongSql } from "../suppressions/suppression-rule";

export interface SendResponse {
  id: string;
  status: "queued" | "scheduled" | "suppressed";
  send_at?: string;
  /** cc/bcc addresses on the suppression list: dropped from the copy (the rest is sent). */
  dropped_cc_bcc?: Array<{ email: string; field: "cc" | "bcc"; reason: "suppressed" }>;
  recipients: Array<{ id: string; email: string; status: Extract<RecipientStatus, "queued" | "suppressed"> }>;
}

export interface SendResult {
  /** 202 for a new message; a repeated Idempotency-Key replays the first response with its status. */
  status: number;
  body: SendResponse;
  replayed: boolean;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * POST /api/v1/emails/send. Validates, routes, checks suppression, and writes the message and one row per `to`
 * address in one statement: those rows are the queue (transactional outbox), so nothing accepted is lost. The
 * Idempotency-Key is enforced by the unique (workspace, key) index: of two concurrent requests only one inserts;
 * the other waits on the index, then replays the stored response (same body) or answers 409 (another body).
 */
export async function sendEmail(ctx: ServiceContext, body: unknown, options: { rawBody: string; idempotencyKey?: string | null; now?: Date }): Promise<SendResult> {
  requireRole(ctx, "member");
  const key = options.idempotencyKey ?? undefined;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new AppError("invalid_request", "Idempotency-Key must be 1-255 printable ASCII characters");
  }
  const requestHash = key ? createHash("sha256").update(options.rawBody).digest("hex") : null;
  const db = ctx.database.db;
  if (key) {
    const replay = await findIdempotent(db, ctx.workspaceId, key, requestHash!);
    if (replay) return replay;
  }

  const input = parseOrThrow(sendEmailSchema, body);
  const now = options.now ?? new Date();
  const config = await loadSendConfig(db, ctx.workspaceId);
  const chain = resolveChain({ requested: input.provider, type: input.type, ...config });
  refuseWhatTheFirstHopRefuses(chain[0]!, input);

  const { cc, bcc, dropped } = await withoutSuppressedCopies(db, ctx.workspaceId, input.cc, input.bcc, now);
  const sendAt = input.send_at ? new Date(input.send_at) : null;
  const dueAt = sendAt && sendAt > now ? sendAt : now;
  const messageId = newId("msg");
  const ids: string[] = [];
  const emails: string[] = [];
  const names: Array<string | null> = [];
  for (const to of input.to) {
    const parsed = parseAddress(to)!;
    ids.push(newId("rcp"));
    emails.push(parsed.email.toLowerCase());
    names.push(parsed.name ?? null);
  }
  const extra = { ...(sendAt ? { send_at: sendAt.toISOString() } : {}), ...(dropped?.length ? { dropped_cc_bcc: dropped } : {}) };
  const scheduled = dueAt > now;

  const suppressed = await insertMessage(ctx.database, {
    message: {
      id: messageId,
      workspaceId: ctx.workspaceId,
      type: input.type,
      fromAddress: input.from,
      subject: input.subject,
      htmlBody: input.html_body ?? null,
      textBody: input.text_body ?? null,
      replyTo: input.reply_to ?? null,
      headers: input.headers,
      tags: input.tags,
      metadata: input.metadata,
      attachments: input.attachments.map((a) => ({ filename: a.filename, content: a.content.replace(/[\r\n]/g, ""), contentType: a.content_type, ...(a.content_id ? { contentId: a.content_id } : {}) })),
      campaignId: input.campaign_id ?? null,
      trackOpens: input.track_opens ?? null,
      trackLinks: input.track_links ?? null,
      requestedProvider: input.provider ?? null,
      sendAt: sendAt?.toISOString() ?? null,
      idempotencyKey: key ?? null,
      requestHash,
    },
    recipients: { ids, emails, names, display: input.to },
    // Stored only for an Idempotency-Key (the only reader is its replay), computed assuming nothing was suppressed;
    // when something was, the statement builds the stored copy itself from the same arrays.
    response: key ? JSON.stringify(responseBody(messageId, ids, input.to, emails, new Set(), scheduled, extra)) : null,
    shared: { cc, bcc, chain, dueAt, now, scheduled, extra },
  });

  if (!suppressed) {
    // Lost the race on the idempotency index: the winner has committed by now.
    const replay = await findIdempotent(db, ctx.workspaceId, key!, requestHash!);
    if (replay) return replay;
    throw new AppError("conflict", "A request with this Idempotency-Key is still being processed; retry shortly");
  }
  const accepted = responseBody(messageId, ids, input.to, emails, suppressed, scheduled, extra);
  if (accepted.status === "queued") wakeDispatchers(ctx.database);
  const queued = accepted.recipients.filter((r) => r.status === "queued").length;
  metrics().accepted.inc({ provider: chain[0]! }, queued);
  if (queued < accepted.recipients.length) metrics().suppressedAtAccept.inc(accepted.recipients.length - queued);
  return { status: 202, body: accepted, replayed: false };
}

/**
 * cc/bcc are checked against the suppression list like `to` (design.md: suppression at accept and at claim): a
 * suppressed address is dropped from the copy and reported; the copy itself still goes to its `to`. Only requests
 * with cc/bcc (single-`to` ones) pay for the extra query.
 */
async function withoutSuppressedCopies(db: DbOrTx, workspaceId: string, cc: string[], bcc: string[], now: Date) {
  if (!cc.length && !bcc.length) return { cc, bcc, dropped: undefined };
  const suppressed = await isSuppressedIn(db, workspaceId, [...cc, ...bcc].map(addressKey), now);
  if (!suppressed.size) return { cc, bcc, dropped: undefined };
  const dropped: NonNullable<SendResponse["dropped_cc_bcc"]> = [];
  const keep = (field: "cc" | "bcc") => (address: string) => {
    if (!suppressed.has(addressKey(address))) return true;
    dropped.push({ email: address, field, reason: "suppressed" });
    return false;
  };
  return { cc: cc.filter(keep("cc")), bcc: bcc.filter(keep("bcc")), dropped };
}

/** ESP-specific limits of the first provider (the module's checkMessage), as field errors before anything is stored. */
function refuseWhatTheFirstHopRefuses(kind: ProviderKind, input: { tags: string[]; metadata: Record<string, string>; headers: Record<string, string> }) {
  const module = providerModule(kind);
  const issues = module.checkMessage(input);
  if (issues.length) {
    throw validationError(
      issues.map((i) => ({ ...i, code: "provider_limit" })),
      `${module.config.label} (the first provider for this message) would refuse it: ${issues[0]!.message}`,
    );
  }
}

async function findIdempotent(db: DbOrTx, workspaceId: string, key: string, requestHash: string): Promise<SendResult | null> {
  const [existing] = await db
    .select({ requestHash: messages.requestHash, response: messages.response })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.idempotencyKey, key)));
  if (!existing) return null;
  if (existing.requestHash !== requestHash) {
    throw new AppError("idempotency_conflict", "This Idempotency-Key was already used with a different request body");
  }
  return { status: 202, body: existing.response as SendResponse, replayed: true };
}

/**
 * The response: statuses from the suppression list (`suppressed`, lower-cased addresses). Keys in jsonb's order
 * (by length), so a replay of the stored copy reads the same.
 */
function responseBody(id: string, ids: string[], display: string[], emails: string[], suppressed: ReadonlySet<string>, scheduled: boolean, extra: Partial<SendResponse>): SendResponse {
  const recipients = ids.map((rid, i) => ({ id: rid, email: display[i]!, status: suppressed.has(emails[i]!) ? ("suppressed" as const) : ("queued" as const) }));
  const status = recipients.every((r) => r.status === "suppressed") ? "suppressed" : scheduled ? "scheduled" : "queued";
  return { id, status, ...(extra.send_at ? { send_at: extra.send_at } : {}), recipients, ...(extra.dropped_cc_bcc ? { dropped_cc_bcc: extra.dropped_cc_bcc } : {}) };
}

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;
const textArray = (values: ReadonlyArray<string | null>) => sql`${sql.param(values)}::text[]`;

/**
 * The whole acceptance in ONE statement — a data-modifying CTE is atomic like a transaction, at one round trip
 * instead of six: which addresses are suppressed (one primary-key probe each), the message, and one row per
 * recipient. Recipients travel as three parallel `text[]` parameters expanded by unnest() (cheaper to build and to
 * read than one jsonb document of objects); the response is built by the caller, and stored with the message only
 * for an Idempotency-Key (its replay is the only reader). When the key is taken, ON CONFLICT inserts no message and
 * so no recipients: the result is null and the caller replays. Otherwise: the suppressed addresses (lower-cased).
 */
async function insertMessage(
  database: Database,
  input: {
    message: Record<string, unknown> & { id: string; workspaceId: string };
    recipients: { ids: string[]; emails: string[]; names: Array<string | null>; display: string[] };
    response: string | null;
    shared: { cc: string[]; bcc: string[]; chain: ProviderKind[]; dueAt: Date; now: Date; scheduled: boolean; extra: Partial<SendResponse> };
  },
): Promise<Set<string> | null> {
  const { shared, message: m, recipients } = input;
  const now = sql`${shared.now.toISOString()}::timestamptz`;
  const suppressed = suppressedAmongSql(m.workspaceId, sql`array(select email from u)`, now);
  // The stored response (Idempotency-Key only): the caller's copy when nothing was suppressed; otherwise (rare) the
  // same fields as responseBody built here, as only this statement knows the suppressed addresses before the message
  // row is written.
  const stored = input.response === null ? sql`null::jsonb` : sql`case when cardinality(s.emails) = 0 then ${input.response}::jsonb else (select jsonb_build_object(
        'id', ${m.id}::text,
        'status', case when bool_and(u.email = any(s.emails)) then 'suppressed' when ${shared.scheduled} then 'scheduled' else 'queued' end,
        'recipients', jsonb_agg(jsonb_build_object('id', u.id, 'email', u.display, 'status', case when u.email = any(s.emails) then 'suppressed' else 'queued' end) order by u.n)
      ) || ${json(shared.extra)} from u) end`;
  const [row] = await database.query<{ n: number; suppressed: string[] }>(sql`
    with u as (
      select * from unnest(${textArray(recipients.ids)}, ${textArray(recipients.emails)}, ${textArray(recipients.names)},
                           ${textArray(input.response === null ? [] : recipients.display)}) with ordinality as u(id, email, name, display, n)
    ), s as (
      select ${suppressed} as emails
    ), m as (
      insert into messages (id, workspace_id, type, from_address, subject, html_body, text_body, reply_to, headers, tags, metadata,
                            attachments, campaign_id, track_opens, track_links, requested_provider, send_at, idempotency_key,
                            request_hash, created_at, response)
      select ${m.id}, ${m.workspaceId}, ${m.type}, ${m.fromAddress}, ${m.subject}, ${m.htmlBody}, ${m.textBody}, ${m.replyTo},
             ${json(m.headers)}, ${json(m.tags)}, ${json(m.metadata)}, ${json(m.attachments)}, ${m.campaignId}, ${m.trackOpens}::boolean,
             ${m.trackLinks}::boolean, ${m.requestedProvider}, ${m.sendAt}::timestamptz, ${m.idempotencyKey}, ${m.requestHash}, ${now},
             ${stored}
        from s
      on conflict (workspace_id, idempotency_key) do nothing
      returning id, workspace_id
    ), r as (
      insert into message_recipients (id, workspace_id, message_id, email, display_name, cc, bcc, status, chain, provider,
                                      next_attempt_at, created_at, updated_at)
      select u.id, m.workspace_id, m.id, u.email, u.name, ${json(shared.cc)}, ${json(shared.bcc)},
             case when u.email = any(s.emails) then 'suppressed' else 'queued' end, ${json(shared.chain)}, ${shared.chain[0]!},
             ${shared.dueAt.toISOString()}::timestamptz, ${now}, ${now}
        from m, s, u
      returning 1
    )
    select (select count(*) from r)::int as n, (select emails from s) as suppressed`);
  return row && row.n > 0 ? new Set(row.suppressed) : null;
}
