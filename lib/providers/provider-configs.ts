import { and, eq } from "drizzle-orm";
import { providerConfigs, workspaces } from "@/db/schema";
import type { Database } from "@/db";
import type { ProviderConfigs, ProviderKind, VerifyResult } from "../esp/types";
import { encryptJson, decryptJson } from "../crypto/secrets";
import { encryptionKey } from "../crypto/instance-keys";
import { env, appUrl } from "../config/env";
import { requireRole, type ServiceContext } from "../auth/context";
import { AppError, notFound } from "../errors";
import { newId, randomToken } from "../ids";
import { parseOrThrow } from "../validation";
import { effectiveState } from "../sending/circuit-breaker";
import { invalidateSendConfig } from "../sending/send-config";
import { invalidateWebhookEndpoints } from "../events/webhook-endpoint";
import { providerInputSchemas, type MailgunInput, type PostmarkInput, type SmtpInput } from "./schemas";

/** Secret fields per provider, kept only in the encrypted column. */
interface StoredSecrets {
  api_token?: string;
  account_token?: string;
  api_key?: string;
  webhook_signing_key?: string;
  password?: string;
  dkim_private_key?: string;
  /** Postmark webhook basic-auth password, generated on save. */
  webhook_password?: string;
}

type Row = typeof providerConfigs.$inferSelect;

/**
 * A provider call that takes longer is abandoned as `retryable` — well inside the dispatcher's lease (120 s by
 * default), so a slow ESP cannot make another worker take the batch over while it is still in flight.
 */
const PROVIDER_TIMEOUT_MS = 30_000;
const secretsContext = (workspaceId: string, kind: ProviderKind) => `${workspaceId}:${kind}`;

export function readSecrets(row: Pick<Row, "workspaceId" | "kind" | "secretsEncrypted">): StoredSecrets {
  return decryptJson<StoredSecrets>(row.secretsEncrypted, encryptionKey(), secretsContext(row.workspaceId, row.kind));
}

/** The adapter configuration of a stored provider (decrypted), with base URLs from the environment. */
export function adapterConfig<K extends ProviderKind>(row: Row & { kind: K }): ProviderConfigs[K] {
  const s = row.settings as Record<string, unknown>;
  const secrets = readSecrets(row);
  const e = env();
  const configs = {
    postmark: (): ProviderConfigs["postmark"] => ({
      serverToken: secrets.api_token!,
      accountToken: secrets.account_token,
      defaultSender: s.default_sender as string | undefined,
      trackOpens: Boolean(s.track_opens),
      trackLinks: Boolean(s.track_links),
      messageStreams: s.message_streams as { transactional: string; broadcast: string },
      baseUrl: e.POSTMARK_API_BASE_URL,
      timeoutMs: PROVIDER_TIMEOUT_MS,
    }),
    mailgun: (): ProviderConfigs["mailgun"] => ({
      apiKey: secrets.api_key!,
      domain: s.domain as string,
      region: s.region as "us" | "eu",
      webhookSigningKey: secrets.webhook_signing_key,
      trackOpens: Boolean(s.track_opens),
      trackClicks: Boolean(s.track_clicks),
      unsubscribeHandling: Boolean(s.unsubscribe_handling),
      baseUrl: e.MAILGUN_API_BASE_URL,
      timeoutMs: PROVIDER_TIMEOUT_MS,
    }),
    smtp: (): ProviderConfigs["smtp"] => {
      const dkim = s.dkim as { domain: string; selector: string } | undefined;
      return {
        host: s.host as string,
        port: s.port as number,
        secure: Boolean(s.secure),
        username: s.username as string | undefined,
        password: secrets.password,
        defaultSender: s.default_sender as string | undefined,
        allowSelfSigned: Boolean(s.allow_self_signed),
        timeoutMs: PROVIDER_TIMEOUT_MS,
        dkim: dkim && secrets.dkim_private_key ? { domainName: dkim.domain, keySelector: dkim.selector, privateKey: secrets.dkim_private_key } : undefined,
      };
    },
  } satisfies { [P in ProviderKind]: () => ProviderConfigs[P] };
  return configs[row.kind]() as ProviderConfigs[K];
}

/** Splits a validated PUT body into non-secret settings and secrets (merged over what is stored). */
function splitInput(kind: ProviderKind, input: PostmarkInput | MailgunInput | SmtpInput, previous: StoredSecrets) {
  const splitters = {
    postmark: () => {
      const { api_token, account_token, enabled: _e, ...settings } = input as PostmarkInput;
      return { settings, secrets: { ...previous, ...(api_token ? { api_token } : {}), ...(account_token ? { account_token } : {}) }, required: ["api_token"] };
    },
    mailgun: () => {
      const { api_key, webhook_signing_key, enabled: _e, ...settings } = input as MailgunInput;
      return {
        settings,
        secrets: { ...previous, ...(api_key ? { api_key } : {}), ...(webhook_signing_key ? { webhook_signing_key } : {}) },
        required: ["api_key"],
      };
    },
    smtp: () => {
      const { password, dkim, enabled: _e, ...rest } = input as SmtpInput;
      const settings = { ...rest, ...(dkim ? { dkim: { domain: dkim.domain, selector: dkim.selector } } : {}) };
      return {
        settings,
        secrets: { ...previous, ...(password ? { password } : {}), ...(dkim?.private_key ? { dkim_private_key: dkim.private_key } : {}) },
        required: [] as string[],
      };
    },
  } satisfies Record<ProviderKind, () => unknown>;
  return splitters[kind]();
}

export type VerifyProvider = <K extends ProviderKind>(kind: K, config: ProviderConfigs[K]) => Promise<VerifyResult>;

/**
 * PUT /api/v1/providers/{kind}: validate, verify against the ESP, then store. Refused credentials store nothing
 * (422 with the ESP's reason); good credentials with DNS or sender pending are saved with each record's status.
 * The first save generates the webhook credentials.
 */
export async function saveProviderConfig(ctx: ServiceContext, kind: ProviderKind, body: unknown, verify: VerifyProvider) {
  requireRole(ctx, "admin");
  const input = parseOrThrow(providerInputSchemas[kind], body);
  const db = ctx.database.db;
  const [existing] = await db
    .select()
    .from(providerConfigs)
    .where(and(eq(providerConfigs.workspaceId, ctx.workspaceId), eq(providerConfigs.kind, kind)));
  const previous = existing ? readSecrets(existing) : {};
  const { settings, secrets, required } = splitInput(kind, input, previous);
  const missing = required.filter((f) => !(secrets as Record<string, unknown>)[f]);
  if (missing.length) {
    throw new AppError("validation_error", `${missing.join(", ")} is required to connect ${kind}`, {
      fields: missing.map((field) => ({ field, code: "required", message: "Required" })),
    });
  }
  if (kind === "postmark") secrets.webhook_password ??= randomToken(18);
  const id = existing?.id ?? newId("prv");
  const candidate = {
    id,
    workspaceId: ctx.workspaceId,
    kind,
    enabled: input.enabled,
    settings,
    secretsEncrypted: encryptJson(secrets as Record<string, unknown>, encryptionKey(), secretsContext(ctx.workspaceId, kind)),
    webhookUsername: kind === "postmark" ? (existing?.webhookUsername ?? `pm-${randomToken(6)}`) : null,
  };
  const config = adapterConfig({ ...(existing ?? defaults()), ...candidate } as Row);
  const verification = await verify(kind, config);
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
  await db
    .insert(providerConfigs)
    .values(values)
    .onConflictDoUpdate({ target: [providerConfigs.workspaceId, providerConfigs.kind], set: { ...values, id: undefined, createdAt: undefined } });
  invalidateSendConfig(ctx.workspaceId);
  invalidateWebhookEndpoints(ctx.workspaceId);
  return getProviderView(ctx, kind);
}

function defaults(): Partial<Row> {
  return { circuitState: "closed", consecutiveFailures: 0 };
}

export async function deleteProviderConfig(ctx: ServiceContext, kind: ProviderKind): Promise<void> {
  requireRole(ctx, "admin");
  const deleted = await ctx.database.db
    .delete(providerConfigs)
    .where(and(eq(providerConfigs.workspaceId, ctx.workspaceId), eq(providerConfigs.kind, kind)))
    .returning({ id: providerConfigs.id });
  if (!deleted.length) throw notFound(`Provider ${kind}`);
  invalidateSendConfig(ctx.workspaceId);
  invalidateWebhookEndpoints(ctx.workspaceId);
}

const mask = (value: string | undefined) => (value ? `••••${value.slice(-4)}` : null);

function toView(row: Row, hookId: string) {
  const secrets = readSecrets(row);
  const base = appUrl();
  const webhook =
    row.kind === "postmark"
      ? { url: `${base}/webhooks/postmark/${hookId}`, username: row.webhookUsername ?? undefined, password: secrets.webhook_password }
      : row.kind === "mailgun"
        ? { url: `${base}/webhooks/mailgun/${hookId}`, signing_key_configured: Boolean(secrets.webhook_signing_key) }
        : null;
  const credentials = {
    postmark: { api_token: mask(secrets.api_token), account_token: mask(secrets.account_token) },
    mailgun: { api_key: mask(secrets.api_key), webhook_signing_key: mask(secrets.webhook_signing_key) },
    smtp: { password: mask(secrets.password), dkim_private_key: secrets.dkim_private_key ? "••••" : null },
  } satisfies Record<ProviderKind, unknown>;
  return {
    kind: row.kind,
    enabled: row.enabled,
    settings: row.settings,
    credentials: credentials[row.kind],
    webhook,
    health: {
      // What the dispatcher acts on: an open breaker past its cool-down lets traffic through again (half-open).
      circuit_state: effectiveState(row, new Date()),
      consecutive_failures: row.consecutiveFailures,
      circuit_opened_at: row.circuitOpenedAt?.toISOString() ?? null,
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
  const rows = await ctx.database.db
    .select({ row: providerConfigs, hookId: workspaces.hookId })
    .from(providerConfigs)
    .innerJoin(workspaces, eq(workspaces.id, providerConfigs.workspaceId))
    .where(eq(providerConfigs.workspaceId, ctx.workspaceId));
  return rows.map((r) => toView(r.row, r.hookId)).sort((a, b) => a.kind.localeCompare(b.kind));
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
