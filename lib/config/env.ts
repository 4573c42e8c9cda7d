import { isIP } from "node:net";
import { z } from "zod";

/**
 * Environment, validated once (create-t3-app's createEnv pattern): an empty string counts as unset, and a bad
 * value stops the process with a message naming the variable. Every variable is listed in .env.example.
 */
const emptyAsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(emptyAsUnset, z.string().optional());
const optionalUrl = z.preprocess(emptyAsUnset, z.url().optional());
const int = (fallback: number, min = 0) => z.preprocess(emptyAsUnset, z.coerce.number().int().min(min).default(fallback));
const bool = (fallback: boolean) =>
  z.preprocess(emptyAsUnset, z.enum(["true", "false", "1", "0"]).default(fallback ? "true" : "false")).transform((v) => v === "true" || v === "1");

/** `10.0.0.0/8, 192.0.2.7, fd00::/8` → the entries, each an IP or CIDR (checked here, applied by lib/providers/smtp). */
const cidrList = z.preprocess(
  emptyAsUnset,
  z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.every((entry) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry) && isIP(entry.split("/")[0]!) !== 0), "must be comma-separated IP addresses or CIDR ranges")
    .optional(),
);

/**
 * AWS's SNS hosts: sns.<region>.amazonaws.com, and .com.cn in China. `<region>` matches an AWS region name only
 * (us-east-1, us-gov-west-1, cn-north-1): a bare `*` would also match `sns.s3.amazonaws.com`, an S3 bucket named "sns".
 */
export const DEFAULT_SNS_SIGNING_CERT_HOSTS = "sns.<region>.amazonaws.com,sns.<region>.amazonaws.com.cn";

export const envSchema = z.object({
  DATABASE_URL: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUnset, z.string().default("./.data")),
  APP_ENCRYPTION_KEY: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .refine((v) => decodeKey(v) !== null, "must be 32 bytes, as 64 hex characters or base64")
      .optional(),
  ),
  NEXTAUTH_SECRET: optionalString,
  APP_URL: optionalUrl,
  PORT: int(3000, 1),
  /** Interface `npm start` listens on; unset: every interface (as `next start`). */
  LISTEN_HOST: optionalString,
  /**
   * `npm start` serves the send API and the webhook receivers through its lean node:http front (server/front.ts),
   * calling the same route handler functions as Next.js; false: Next.js serves every route.
   */
  LEAN_TRANSPORT: bool(true),
  POSTMARK_API_BASE_URL: optionalUrl,
  MAILGUN_API_BASE_URL: optionalUrl,
  SENDGRID_API_BASE_URL: optionalUrl,
  /** The SES v2 endpoint (the AWS SDK's own variable for it); unset: email.<region>.amazonaws.com. */
  AWS_ENDPOINT_URL_SESV2: optionalUrl,
  /**
   * Hosts SNS signing certificates (and SubscribeURLs) may be fetched from, over HTTPS only: comma-separated, `*` one
   * DNS label, `<region>` one AWS region name, an optional `:port` (`:*` any; without one only 443). A list other than
   * the default is logged as a warning at start.
   */
  SNS_SIGNING_CERT_HOSTS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .default(DEFAULT_SNS_SIGNING_CERT_HOSTS)
      .transform((v) => v.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean))
      .refine((list) => list.length > 0 && list.every((h) => /^(\*|<region>|[a-z0-9-]+)(\.(\*|<region>|[a-z0-9-]+))*(:(\*|\d{1,5}))?$/.test(h)), "must be comma-separated host names (a * stands for one label, <region> for an AWS region name), each with an optional :port or :*"),
  ),
  DISPATCHER_ENABLED: bool(true),
  DISPATCHER_BATCH_SIZE: int(1000, 1),
  DISPATCHER_POLL_MS: int(5000, 50),
  DISPATCHER_LEASE_SECONDS: int(30, 5),
  /** Longest a provider call (an HTTP request, an SMTP transaction) may take before it counts as a retryable failure. */
  PROVIDER_CALL_TIMEOUT_SECONDS: int(30, 1),
  /** Most bytes of message content (bodies + attachments) one dispatcher round loads; the rest waits for the next. */
  DISPATCHER_ROUND_BYTES: int(64 * 1024 * 1024, 1024),
  /** Provider batch calls a process has in flight at once (each may carry hundreds of copies). */
  DISPATCHER_MAX_CONCURRENT_CALLS: int(16, 1),
  MAX_REQUEST_BYTES: int(10 * 1024 * 1024, 1024),
  /** Bytes of request bodies one process reads and parses at once, all requests together; past it: 503 + Retry-After. */
  REQUEST_BODY_BUDGET_BYTES: int(64 * 1024 * 1024, 1024),
  /** Send API requests per second per API key (token bucket, per process); 0 turns the limit off. */
  SEND_RATE_LIMIT_PER_SECOND: int(200, 0),
  /** Requests a key may send at once before the per-second rate applies. */
  SEND_RATE_LIMIT_BURST: int(1000, 1),
  /**
   * Keys that sign tracking and unsubscribe links, `kid:secret,kid2:secret2` (secrets ≥ 32 characters): the first
   * signs, all verify — put a new key first to rotate. Unset: links are signed with NEXTAUTH_SECRET.
   */
  LINK_SIGNING_KEYS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .transform((v) =>
        v
          .split(",")
          .map((entry) => entry.trim())
          .filter(Boolean)
          .map((entry) => ({ id: entry.slice(0, entry.indexOf(":")), secret: entry.slice(entry.indexOf(":") + 1) })),
      )
      .refine((keys) => keys.length > 0 && keys.every((k) => /^[A-Za-z0-9_-]{1,32}$/.test(k.id) && k.secret.length >= 32), "must be kid:secret pairs (key ids: letters, digits, _ and -; secrets of 32+ characters), comma-separated")
      .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, "key ids must be distinct")
      .optional(),
  ),
  /** The one-time token /setup asks for; unset: generated into DATA_DIR/setup-token and printed at start. */
  SETUP_TOKEN: optionalString,
  /** Days the incoming-webhook log (and idle rejection counters) are kept; pruned hourly by the dispatcher. */
  WEBHOOK_LOG_RETENTION_DAYS: int(7, 1),
  /** How often the dispatcher folds analytics deltas into the hourly rollups (ms; 0 = never — reads stay exact). */
  ANALYTICS_FOLD_MS: int(1000, 0),
  /** Bearer token for GET /metrics (Prometheus); unset: the endpoint answers 404. */
  METRICS_TOKEN: optionalString,
  LOG_LEVEL: z.preprocess(emptyAsUnset, z.enum(["debug", "info", "warn", "error"]).default("info")),
  /** Comma-separated IPs/CIDRs SMTP relays may be at (unset: anywhere not denied). An operator setting, not a workspace one. */
  SMTP_HOST_ALLOWLIST: cidrList,
  /** Comma-separated IPs/CIDRs SMTP relays may never be at (link-local and cloud-metadata addresses are always refused). */
  SMTP_HOST_DENYLIST: cidrList,
  /** DNS servers for the domain checks, `ip[:port]` comma-separated (`[v6]:port` for IPv6); unset: the system's. */
  DNS_SERVERS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .refine(
        (v) =>
          v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
            .every((s) => {
              const m = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(s) ?? /^([0-9.]+)(?::(\d{1,5}))?$/.exec(s) ?? /^([0-9a-fA-F:]+)()$/.exec(s);
              return !!m && isIP(m[1]!) !== 0 && (!m[2] || (Number(m[2]) >= 1 && Number(m[2]) <= 65535));
            }),
        "must be comma-separated IP addresses with optional ports (1.1.1.1, 127.0.0.1:5353, [::1]:53)",
      )
      .optional(),
  ),
  /** How long one DNS query of a domain check may take (each query is tried twice) before the record counts as unknown. */
  DNS_TIMEOUT_MS: int(3000, 50),
  /** Background re-checks of sending domains (unverified every 15 min, verified daily) in `npm start`. */
  DOMAIN_CHECKS_ENABLED: bool(true),
  /** Shortest time between two on-demand checks of one domain (POST /api/v1/domains/{domain}/check answers 429 within it). */
  DOMAIN_CHECK_COOLDOWN_SECONDS: int(30, 0),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment configuration:\n${lines.join("\n")}\nSee .env.example for every variable and its default.`);
  }
  return parsed.data;
}

const globalForEnv = globalThis as unknown as { __pmEnv?: Env };

/** The validated environment of this process (parsed on first use). */
export function env(): Env {
  globalForEnv.__pmEnv ??= parseEnv();
  return globalForEnv.__pmEnv;
}

export function appUrl(e: Env = env()): string {
  return (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
}

/** 32-byte keys are accepted as hex or base64; anything else is null. */
export function decodeKey(value: string): Buffer | null {
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, "hex");
  const b = Buffer.from(v, "base64");
  return b.length === 32 ? b : null;
}
