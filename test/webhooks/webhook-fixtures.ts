import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db";
import { events, messageRecipients, messages, suppressions, workspaces, type RecipientStatus } from "@/db/schema";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import { newId } from "@/lib/ids";
import { saveProviderConfig, type VerifyProvider } from "@/lib/providers/provider-configs";
import { METADATA_KEYS } from "@/lib/providers/correlation";
import { loadFixture } from "@/test/fixtures/webhooks/load-fixture";
import { signMailgunPayload } from "@/lib/providers/mailgun/webhook";
import { workspaceFixture } from "../support/fixtures";
import { revealWebhookCredentials } from "@/lib/providers/webhook-credentials";

export const MAILGUN_KEY = "test-webhook-signing-key";
const verified: VerifyProvider = async () => ({ status: "verified", records: [] });

/** A workspace with Postmark and Mailgun connected, and its webhook credentials. */
export async function webhookWorkspace(database: Database) {
  const ws = await workspaceFixture(database);
  await saveProviderConfig(ws.ctx, "postmark", { api_token: "pm-server-token" }, verified);
  await saveProviderConfig(ws.ctx, "mailgun", { api_key: "key-test", domain: "mg.example.com", webhook_signing_key: MAILGUN_KEY }, verified);
  const postmark = (await revealWebhookCredentials(ws.ctx, "postmark")).credentials as { username: string; password: string };
  const [row] = await database.db.select({ hookId: workspaces.hookId }).from(workspaces).where(eq(workspaces.id, ws.workspace.id));
  return { ...ws, hookId: row!.hookId, postmarkAuth: { username: postmark.username, password: postmark.password } };
}

/** A message with one recipient row per address, as the send side would have stored it after sending. */
export async function sentRecipients(
  database: Database,
  workspaceId: string,
  input: { provider: ProviderKind; providerMessageId: string; emails: string[]; status?: RecipientStatus },
) {
  const messageId = newId("msg");
  await database.db.insert(messages).values({ id: messageId, workspaceId, type: "transactional", fromAddress: "app@example.com", subject: "Welcome" });
  const recipients = input.emails.map((email) => ({
    id: newId("rcp"),
    workspaceId,
    messageId,
    email,
    status: input.status ?? ("sent" as RecipientStatus),
    provider: input.provider,
    providerMessageId: input.providerMessageId,
  }));
  await database.db.insert(messageRecipients).values(recipients);
  return { messageId, recipientIds: recipients.map((r) => r.id) };
}

export async function recipientStatus(database: Database, recipientId: string): Promise<RecipientStatus> {
  const [row] = await database.db.select({ status: messageRecipients.status }).from(messageRecipients).where(eq(messageRecipients.id, recipientId));
  return row!.status;
}

export async function eventCount(database: Database, workspaceId: string): Promise<number> {
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(events).where(eq(events.workspaceId, workspaceId));
  return row!.n;
}

export async function suppressionOf(database: Database, workspaceId: string, email: string) {
  const rows = await database.db.select().from(suppressions).where(eq(suppressions.workspaceId, workspaceId));
  return rows.find((r) => r.email === email) ?? null;
}

export function ourIds(messageId: string, recipientId: string): Record<string, string> {
  return { [METADATA_KEYS.messageId]: messageId, [METADATA_KEYS.recipientId]: recipientId };
}

// ---- Postmark ----

export function postmarkPayload(name: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...loadFixture(`postmark/${name}`), ...patch };
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

export function postmarkRequest(hookId: string, body: unknown, authorization?: string, raw?: string): Request {
  const headers = new Headers({ "content-type": "application/json" });
  if (authorization) headers.set("authorization", authorization);
  return new Request(`http://localhost/webhooks/postmark/${hookId}`, { method: "POST", headers, body: raw ?? JSON.stringify(body) });
}

// ---- Mailgun ----

type Envelope = { signature: { timestamp: string; token: string; signature: string }; "event-data": Record<string, unknown> };

let tokenCounter = 0;

/**
 * A Mailgun fixture re-signed with a fresh token and a timestamp of `now`, its event-data patched (ids, recipient).
 * Pass `token` to reuse one.
 */
export function mailgunPayload(name: string, now: Date, eventPatch: Record<string, unknown> = {}, token?: string): Envelope {
  const envelope = loadFixture<Envelope>(`mailgun/${name}`);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const t = token ?? `tok${(++tokenCounter).toString().padStart(6, "0")}${Math.random().toString(36).slice(2)}`.padEnd(50, "x");
  return {
    signature: { timestamp, token: t, signature: signMailgunPayload(timestamp, t, MAILGUN_KEY) },
    "event-data": { ...envelope["event-data"], ...eventPatch },
  };
}

export function mailgunRequest(hookId: string, body: unknown, raw?: string): Request {
  return new Request(`http://localhost/webhooks/mailgun/${hookId}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ?? JSON.stringify(body),
  });
}
