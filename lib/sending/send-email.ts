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
import { isSuppressedSql } from "../suppressions/suppression-rule";

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
  const recipients = input.to.map((to, i) => {
    const parsed = parseAddress(to)!;
    return { i, id: newId("rcp"), email: parsed.email.toLowerCase(), display_name: parsed.name ?? null, display_to: to };
  });

  const accepted = await insertMessage(ctx.database, {
    message: {
      id: messageId,
      workspace_id: ctx.workspaceId,
      type: input.type,
      from_address: input.from,
      subject: input.subject,
      html_body: input.html_body ?? null,
      text_body: input.text_body ?? null,
      reply_to: input.reply_to ?? null,
      headers: input.headers,
      tags: input.tags,
      metadata: input.metadata,
      attachments: input.attachments.map((a) => ({ filename: a.filename, content: a.content.replace(/[\r\n]/g, ""), contentType: a.content_type, ...(a.content_id ? { contentId: a.content_id } : {}) })),
      campaign_id: input.campaign_id ?? null,
      track_opens: input.track_opens ?? null,
      track_links: input.track_links ?? null,
      requested_provider: input.provider ?? null,
      send_at: sendAt?.toISOString() ?? null,
      idempotency_key: key ?? null,
      request_hash: requestHash,
      created_at: now.toISOString(),
    },
    recipients,
    shared: { cc, bcc, chain, dueAt, now, sendAt, dropped },
  });

  if (!accepted) {
    // Lost the race on the idempotency index: the winner has committed by now.
    const replay = await findIdempotent(db, ctx.workspaceId, key!, requestHash!);
    if (replay) return replay;
    throw new AppError("conflict", "A request with this Idempotency-Key is still being processed; retry shortly");
  }
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
 * The whole acceptance in ONE statement — a data-modifying CTE is atomic like a transaction, at one round trip
 * instead of six: each recipient's status from the suppression list, the response (stored with the message, so a
 * repeated Idempotency-Key replays it exactly), the message, and one row per recipient (all recipients as a single
 * jsonb parameter, not 13 parameters a row). When the Idempotency-Key is taken, ON CONFLICT inserts no message and
 * so no recipients: the result is null and the caller replays. (jsonb orders keys by length, which happens to be
 * the documented order of the response fields.)
 */
async function insertMessage(
  database: Database,
  input: {
    message: Record<string, unknown>;
    recipients: Array<{ i: number; id: string; email: string; display_name: string | null; display_to: string }>;
    shared: { cc: string[]; bcc: string[]; chain: ProviderKind[]; dueAt: Date; now: Date; sendAt: Date | null; dropped: SendResponse["dropped_cc_bcc"] };
  },
): Promise<SendResponse | null> {
  const { shared, message } = input;
  const now = shared.now.toISOString();
  const extra = { ...(shared.sendAt ? { send_at: shared.sendAt.toISOString() } : {}), ...(shared.dropped?.length ? { dropped_cc_bcc: shared.dropped } : {}) };
  const [row] = await database.query<{ n: number; body: SendResponse }>(sql`
    with v as (
      select r.*, case when ${isSuppressedSql(message.workspace_id as string, sql.raw("r.email"), sql`${now}::timestamptz`)} then 'suppressed' else 'queued' end as status
        from jsonb_to_recordset(${JSON.stringify(input.recipients)}::jsonb) as r(i int, id text, email text, display_name text, display_to text)
    ), resp as (
      select jsonb_build_object(
               'id', ${message.id}::text,
               'status', case when not exists (select 1 from v where status = 'queued') then 'suppressed'
                              when ${shared.dueAt > shared.now} then 'scheduled' else 'queued' end,
               'recipients', (select jsonb_agg(jsonb_build_object('id', id, 'email', display_to, 'status', status) order by i) from v)
             ) || ${JSON.stringify(extra)}::jsonb as body
    ), m as (
      insert into messages (id, workspace_id, type, from_address, subject, html_body, text_body, reply_to, headers, tags, metadata,
                            attachments, campaign_id, track_opens, track_links, requested_provider, send_at, idempotency_key,
                            request_hash, created_at, response)
      select x.*, (select body from resp) from jsonb_to_record(${JSON.stringify(message)}::jsonb) as x(
        id text, workspace_id text, type text, from_address text, subject text, html_body text, text_body text, reply_to text,
        headers jsonb, tags jsonb, metadata jsonb, attachments jsonb, campaign_id text, track_opens boolean, track_links boolean,
        requested_provider text, send_at timestamptz, idempotency_key text, request_hash text, created_at timestamptz)
      on conflict (workspace_id, idempotency_key) do nothing
      returning id, workspace_id
    ), r as (
      insert into message_recipients (id, workspace_id, message_id, email, display_name, cc, bcc, status, chain, provider,
                                      next_attempt_at, created_at, updated_at)
      select v.id, m.workspace_id, m.id, v.email, v.display_name, ${JSON.stringify(shared.cc)}::jsonb, ${JSON.stringify(shared.bcc)}::jsonb,
             v.status, ${JSON.stringify(shared.chain)}::jsonb, ${shared.chain[0]!}, ${shared.dueAt.toISOString()}::timestamptz,
             ${now}::timestamptz, ${now}::timestamptz
        from m, v
      returning 1
    )
    select (select count(*) from r)::int as n, (select body from resp) as body`);
  return row && row.n > 0 ? row.body : null;
}
