/**
 * Structured logs: pino, one JSON line per entry on stderr, written synchronously (log volume is low: errors,
 * warnings, start-up). Two lines of defence keep secrets and request data out:
 * - `redact` censors credential-like keys at the top level and one level down;
 * - errors go through `loggableError`, which keeps a database error's code and a short name for its statement but
 *   never the statement's parameters (drizzle's "Failed query: … params: …" message carries whole request bodies)
 *   and never a driver message that quotes input.
 * Never pass request bodies, tokens or keys in `fields`.
 */
import { createHash } from "node:crypto";
import pino from "pino";

const SECRET_KEYS = ["password", "pass", "secret", "token", "api_key", "apiKey", "authorization", "private_key", "privateKey", "webhook_password", "signing_key"];

const base = pino(
  {
    level: process.env.LOG_LEVEL ?? "info",
    base: undefined,
    messageKey: "msg",
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`)], censor: "[redacted]" },
  },
  pino.destination({ fd: 2, sync: true }),
);

type Fields = Record<string, unknown>;

export const logger = {
  debug: (msg: string, fields?: Fields) => base.debug(fields ?? {}, msg),
  info: (msg: string, fields?: Fields) => base.info(fields ?? {}, msg),
  warn: (msg: string, fields?: Fields) => base.warn(fields ?? {}, msg),
  error: (msg: string, fields?: Fields) => base.error(fields ?? {}, msg),
};

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  query?: unknown;
  cause?: unknown;
  stack?: unknown;
}

/**
 * What may be logged about an error. A database error (drizzle's wrapper with `query`, or a driver error with a
 * SQLSTATE `code`) becomes `{ kind: "database", code, statement }`: the statement is named by its first words and a
 * hash of its text, so the same failing statement is recognizable across lines without its parameters. Anything
 * else keeps its name, message (first 300 characters) and the top of its stack.
 */
export function loggableError(err: unknown): Record<string, unknown> {
  const e = (err ?? {}) as ErrorLike;
  const cause = (e.cause ?? {}) as ErrorLike;
  const sqlState = typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : typeof cause.code === "string" ? cause.code : undefined;
  if (typeof e.query === "string" || (sqlState && /^[0-9A-Z]{5}$/.test(sqlState))) {
    return { kind: "database", code: sqlState ?? "unknown", ...(typeof e.query === "string" ? { statement: statementName(e.query) } : {}) };
  }
  if (typeof cause.code === "string" && /^E[A-Z]+$/.test(cause.code)) return { kind: "system", code: cause.code, name: String(e.name ?? "Error") };
  if (!(err instanceof Error)) return { kind: "thrown", type: typeof err };
  return {
    kind: "error",
    name: err.name,
    message: err.message.slice(0, 300),
    ...(typeof err.stack === "string" ? { stack: err.stack.split("\n").slice(1, 6).map((l) => l.trim()).join(" | ") } : {}),
  };
}

function statementName(query: string): string {
  const words = query.replace(/\s+/g, " ").trim().split(" ").slice(0, 6).join(" ").slice(0, 80);
  return `${words} … #${createHash("sha256").update(query).digest("hex").slice(0, 8)}`;
}
