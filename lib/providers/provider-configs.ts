import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { providerConfigs, sendAttempts, workspaces, type AttemptOutcome } from "@/db/schema";
import type { Database } from "@/db";
import { encryptJson, decryptJson } from "../crypto/secrets";
import { encryptionKey } from "../crypto/instance-keys";
import { appUrl } from "../config/env";
import { loggableError, logger } from "../logger";
import { requireRole, type ServiceContext } from "../auth/context";
import { AppError, notFound, type FieldIssue } from "../errors";
import { newId } from "../ids";
import { parseOrThrow } from "../validation";
import { invalidateWorkspaceCaches } from "../ttl-cache";
import { secretFields, secretKey, type ConfigField } from "./config-spec";
import { effectiveState, openUntil } from "./provider-health";
import type { ProviderKind } from "./provider-kind";
import { providerModule, type ProviderConfigs } from "./registry";
import type { StoredSecrets, VerifyResult } from "./types";

type Row = typeof providerConfigs.$inferSelect;

const secretsContext = (workspaceId: string, kind: ProviderKind) => `${workspaceId}:${kind}`;

export function readSecrets(row: Pick<Row, "workspaceId" | "kind" | "secretsEncrypted">): StoredSecrets {
  return decryptJson<StoredSecrets>(row.secretsEncrypted, encryptionKey(), secretsContext(row.workspaceId, row.kind));
}

/** The adapter configuration of a stored provider (decrypted), as its module builds it. */
export function adapterConfig<K extends ProviderKind>(row: Row & { kind: K }): ProviderConfigs[K] {
  const stored = { settings: row.settings as Record<string, unknown>, secrets: readSecrets(row), webhookUsername: row.webhookUsername };
  return providerModule(row.kind).adapterConfig(stored) as ProviderConfigs[K];
}

const pathOf = (field: ConfigField) => field.name.split(".");

function valueAt(input: Record<string, unknown>, path: string[]): unknown {
  let at: unknown = input;
  for (const part of path) at = at !== null && typeof at === "object" ? (at as Record<string, unknown>)[part] : undefined;
  return at;
}

function withoutPath(input: Record<string, unknown>, path: string[]): Record<string, unknown> {
  const [first, ...rest] = path;
  if (!(first! in input)) return input;
  const { [first!]: inner, ...others } = input;
  if (!rest.length) return others;
  return inner !== null && typeof inner === "object" ? { ...others, [first!]: withoutPath(inner as Record<string, unknown>, rest) } : input;
}

/**
 * Splits a validated PUT body into non-secret settings (a JSON column) and secrets (merged over what is stored, by the
 * module's field metadata): an omitted secret keeps the stored value, `null` (or `""` where the schema admits it)
 * clears it. Then the secrets a connection needs — always (`required`) or with another field set (`requiredWith`).
 */
function splitInput(kind: ProviderKind, input: Record<string, unknown>, previous: StoredSecrets) {
  const { enabled: _enabled, ...rest } = input;
  let settings: Record<string, unknown> = rest;
  const secrets: StoredSecrets = { ...previous };
  for (const field of secretFields(providerModule(kind).config)) {
    const value = valueAt(rest, pathOf(field));
    settings = withoutPath(settings, pathOf(field));
    if (typeof value === "string" && value !== "") secrets[secretKey(field)] = value;
    else if (value === null || value === "") delete secrets[secretKey(field)];
  }
  return { settings, secrets, missing: missingSecrets(kind, settings, secrets) };
}

function missingSecrets(kind: ProviderKind, settings: Record<string, unknown>, secrets: StoredSecrets): FieldIssue[] {
  const missing: FieldIssue[] = [];
  for (const field of secretFields(providerModule(kind).config)) {
    if (secrets[secretKey(field)]) continue;
    const other = field.secret?.requiredWith;
    if (field.secret?.required) missing.push({ field: field.name, code: "required", message: `Required to connect ${kind}` });
    else if (other && valueAt(settings, other.split("."))) {
      missing.push({ field: field.name, code: "required", message: `Required while ${other} is set (leave both empty for none)` });
    }
  }
  return missing;
}

export type VerifyProvider = <K extends ProviderKind>(kind: K, config: ProviderConfigs[K]) => Promise<VerifyResult>;

/**
 * PUT /api/v1/providers/{kind}: validate, verify against the ESP, then store. Refused credentials store nothing
 * (422 with the ESP's reason); good credentials with DNS or sender pending are saved with each record's status.
 * The first save generates the webhook credentials.
 */
export async function saveProviderConfig(ctx: ServiceContext, kind: ProviderKind, body: unknown, verify: VerifyProvider) {
  requireRole(ctx, "admin");
  const module = providerModule(kind);
  const input = parseOrThrow(module.config.schema, body) as Record<string, unknown>;
  const db = ctx.database.db;
  const [existing] = await db
    .select()
    .from(providerConfigs)
    .where(and(eq(providerConfigs.workspaceId, ctx.workspaceId), eq(providerConfigs.kind, kind)));
  const previous = existing ? readSecrets(existing) : {};
  const split = splitInput(kind, input, previous);
  const { settings, missing } = split;
  if (missing.length) {
    throw new AppError("validation_error", missing.map((m) => `${m.field}: ${m.message}`).join("; "), { fields: missing });
  }
  const webhookCredentials = module.webhook?.generateCredentials?.({ secrets: split.secrets, webhookUsername: existing?.webhookUsername ?? null });
  const secrets = webhookCredentials?.secrets ?? split.secrets;
  const id = existing?.id ?? newId("prv");
  const candidate = {
    id,
    workspaceId: ctx.workspaceId,
    kind,
    // Omitted: an update keeps the stored state (PATCH toggles it); a new connection starts enabled.
    enabled: (input.enabled as boolean | undefined) ?? existing?.enabled ?? true,
    settings,
    secretsEncrypted: encryptJson(secrets as Record<string, unknown>, encryptionKey(), secretsContext(ctx.workspaceId, kind)),
    webhookUsername: webhookCredentials?.webhookUsername ?? null,
  };
  const config = adapterConfig({ ...(existing ?? defaults()), ...candidate } as Row);
  let verification: VerifyResult;
  try {
    verification = await verify(kind, config);
  } catch (err) {
    if (err instanceof AppError) throw err;
    // Not an answer about the credentials (connection refused, timeout, the ESP's 5xx): nothing is saved, and the
    // operator hears that the ESP could not be asked — never a 500, never the remote side's own words.
    logger.warn("provider verification could not reach the ESP", { provider: kind, error: loggableError(err) });
    throw new AppError("service_unavailable", `${kind} could not be reached to check the credentials; nothing was saved. Retry shortly.`, { provider: kind, retry_after_seconds: 5 });
  }
  if (verification.status === "refused") {
    throw new AppError("provider_verification_failed", `${kind} refused the credentials: ${verification.reason}`, {
      provider: kind,
      reason: verification.reason,
      ...(verification.code ? { provider_code: verification.code } : {}),
    });
  }
  const now = new Date();
  const values = {
    ...candidate,
    verificationStatus: verification.status,
    verificationRecords: verification.records,
    verifiedAt: now,
    updatedAt: now,
    // New credentials deserve a fresh start: close the breaker.
    circuitState: "closed" as const,
    consecutiveFailures: 0,
    circuitOpenedAt: null,
  };
  await db.transaction(async (tx) => {
    await tx
      .insert(providerConfigs)
      .values(values)
      .onConflictDoUpdate({ target: [providerConfigs.workspaceId, providerConfigs.kind], set: { ...values, id: undefined, createdAt: undefined } });
    // Connected for the first time and not named by the failover order (a provider added after the workspace was
    // created, e.g. SendGrid): it joins the order's end, so connecting makes it a fallback without a second step. Not
    // on later saves: a provider an admin took out of the order stays out when its credentials are rotated.
    if (!existing) {
      await tx.execute(sql`
        update workspace_settings set failover_order = failover_order || ${JSON.stringify([kind])}::jsonb, updated_at = now()
         where workspace_id = ${ctx.workspaceId} and not jsonb_exists(failover_order, ${kind})`);
    }
  });
  invalidateWorkspaceCaches(ctx.workspaceId);
  return getProviderView(ctx, kind);
}

function defaults(): Partial<Row> {
  return { circuitState: "closed", consecutiveFailures: 0 };
}

export const providerToggleSchema = z.object({ enabled: z.boolean() }).strict();

/**
 * PATCH /api/v1/providers/{kind} `{ enabled }`: switches a connected provider on or off without verifying again; its
 * configuration and breaker stay. Routing and failover skip a disabled provider — new mail at acceptance, queued mail
 * when the dispatcher picks each copy's provider (it moves on along its chain, or waits as deferred).
 */
export async function setProviderEnabled(ctx: ServiceContext, kind: ProviderKind, body: unknown): Promise<ProviderView> {
  requireRole(ctx, "admin");
  const { enabled } = parseOrThrow(providerToggleSchema, body);
  const updated = await ctx.database.db
    .update(providerConfigs)
    .set({ enabled, updatedAt: new Date() })
    .where(and(eq(providerConfigs.workspaceId, ctx.workspaceId), eq(providerConfigs.kind, kind)))
    .returning({ id: providerConfigs.id });
  if (!updated.length) throw notFound(`Provider ${kind}`);
  invalidateWorkspaceCaches(ctx.workspaceId);
  return getProviderView(ctx, kind);
}

export async function deleteProviderConfig(ctx: ServiceContext, kind: ProviderKind): Promise<void> {
  requireRole(ctx, "admin");
  const deleted = await ctx.database.db
    .delete(providerConfigs)
    .where(and(eq(providerConfigs.workspaceId, ctx.workspaceId), eq(providerConfigs.kind, kind)))
    .returning({ id: providerConfigs.id });
  if (!deleted.length) throw notFound(`Provider ${kind}`);
  invalidateWorkspaceCaches(ctx.workspaceId);
}

const mask = (value: string | undefined) => (value ? `••••${value.slice(-4)}` : null);

/** send_attempts outcomes counted as the provider's own successes and failures (as the circuit breaker counts them). */
const SUCCESS_OUTCOMES: AttemptOutcome[] = ["accepted", "recovered"];
const FAILURE_OUTCOMES: AttemptOutcome[] = ["retryable", "provider_config"];
const HEALTH_WINDOW_MS = 3_600_000;

type Counts = { successes: number; failures: number };

/**
 * Per provider, the recipient attempts of the last hour that it accepted or failed itself (a rejected recipient or an
 * invalid message says nothing about its health): one grouped query over send_attempts_workspace_idx.
 */
async function lastHourCounts(database: Database, workspaceId: string, now: Date): Promise<Map<ProviderKind, Counts>> {
  const rows = await database.db
    .select({
      provider: sendAttempts.provider,
      successes: sql<number>`(count(*) filter (where ${inArray(sendAttempts.outcome, SUCCESS_OUTCOMES)}))::int`,
      failures: sql<number>`(count(*) filter (where ${inArray(sendAttempts.outcome, FAILURE_OUTCOMES)}))::int`,
    })
    .from(sendAttempts)
    .where(and(eq(sendAttempts.workspaceId, workspaceId), gte(sendAttempts.startedAt, new Date(now.getTime() - HEALTH_WINDOW_MS))))
    .groupBy(sendAttempts.provider);
  return new Map(rows.map((r) => [r.provider, { successes: Number(r.successes), failures: Number(r.failures) }]));
}

function toView(row: Row, hookId: string, lastHour: Counts = { successes: 0, failures: 0 }, now = new Date()) {
  const secrets = readSecrets(row);
  const module = providerModule(row.kind);
  const stored = { secrets, webhookUsername: row.webhookUsername, settings: row.settings as Record<string, unknown> };
  const webhook = module.webhook ? { url: `${appUrl()}/webhooks/${row.kind}/${hookId}`, ...module.webhook.view(stored) } : null;
  const credentials = Object.fromEntries(
    secretFields(module.config).map((field) => {
      const value = secrets[secretKey(field)];
      return [secretKey(field), value ? (field.secret!.mask === "hidden" ? "••••" : mask(value)) : null];
    }),
  );
  return {
    kind: row.kind,
    enabled: row.enabled,
    settings: row.settings,
    credentials,
    webhook,
    health: {
      circuit_state: effectiveState(row, now),
      consecutive_failures: row.consecutiveFailures,
      circuit_opened_at: row.circuitOpenedAt?.toISOString() ?? null,
      /** When an open breaker lets traffic through again (half-open); null when it is not open. */
      open_until: openUntil(row, now)?.toISOString() ?? null,
      last_hour: lastHour,
      last_error: row.lastError,
      last_error_at: row.lastErrorAt?.toISOString() ?? null,
    },
    verification: { status: row.verificationStatus, records: row.verificationRecords ?? [], verified_at: row.verifiedAt?.toISOString() ?? null },
    updated_at: row.updatedAt.toISOString(),
  };
}

export type ProviderView = ReturnType<typeof toView>;

export async function listProviderViews(ctx: ServiceContext): Promise<ProviderView[]> {
  requireRole(ctx, "viewer");
  const now = new Date();
  const [rows, counts] = await Promise.all([
    ctx.database.db
      .select({ row: providerConfigs, hookId: workspaces.hookId })
      .from(providerConfigs)
      .innerJoin(workspaces, eq(workspaces.id, providerConfigs.workspaceId))
      .where(eq(providerConfigs.workspaceId, ctx.workspaceId)),
    lastHourCounts(ctx.database, ctx.workspaceId, now),
  ]);
  return rows.map((r) => toView(r.row, r.hookId, counts.get(r.row.kind), now)).sort((a, b) => a.kind.localeCompare(b.kind));
}

export async function getProviderView(ctx: ServiceContext, kind: ProviderKind): Promise<ProviderView> {
  const view = (await listProviderViews(ctx)).find((v) => v.kind === kind);
  if (!view) throw notFound(`Provider ${kind}`);
  return view;
}

/** All provider rows of a workspace, enabled or not. */
export async function loadProviderRows(database: Database, workspaceId: string): Promise<Row[]> {
  return database.db.select().from(providerConfigs).where(eq(providerConfigs.workspaceId, workspaceId));
}
