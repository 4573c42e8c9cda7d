import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { migrateDatabase } from "@/db/migrate";
import { authenticate } from "@/lib/http/api-route";
import { errorResponse } from "@/lib/http/respond";
import { listApiKeys, revokeApiKey, createApiKey } from "@/lib/auth/api-keys";
import { saveProviderConfig, listProviderViews, loadProviderRows, adapterConfig } from "@/lib/providers/provider-configs";
import { decryptSecret } from "@/lib/crypto/secrets";
import { encryptionKey } from "@/lib/crypto/instance-keys";
import { GET as health } from "@/app/api/health/route";
import type { VerifyProvider } from "@/lib/providers/provider-configs";

const EXPECTED_TABLES = [
  "analytics_deltas",
  "analytics_rollups",
  "api_keys",
  "domain_dkim_keys",
  "domain_status_changes",
  "events",
  "instance_keys",
  "invitations",
  "memberships",
  "message_recipients",
  "messages",
  "provider_configs",
  "recipient_actions",
  "send_attempts",
  "sending_domains",
  "suppressions",
  "users",
  "webhook_rejections",
  "webhook_requests",
  "webhook_tokens",
  "workspace_pricing",
  "workspace_settings",
  "workspaces",
];

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (err) {
    return errorResponse(err).status;
  }
}

describe.each(testDatabaseKinds())("foundation on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
  });
  afterAll(async () => t?.drop());

  it("applies the migrations: every table of the spine exists, and a second run changes nothing", async () => {
    const tables = await t.database.query<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(tables.map((r) => r.table_name)).toEqual(EXPECTED_TABLES);
    await migrateDatabase(t.database);
    const again = await t.database.query<{ n: number }>(sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
    expect(again[0]!.n).toBe(EXPECTED_TABLES.length);
  });

  it("health answers 200 with the database status", async () => {
    const res = await health();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", database: { status: "ok", kind } });
  });

  it("resolves a valid API key to its workspace", async () => {
    const a = await workspaceFixture(t.database);
    const ctx = await authenticate(bearer(a.key), "full");
    expect(ctx.workspaceId).toBe(a.workspace.id);
    expect(ctx.actor).toMatchObject({ type: "api_key", keyId: a.keyId, scope: "full" });
  });

  it("rejects missing, malformed, unknown and revoked keys with 401 and the error envelope", async () => {
    const a = await workspaceFixture(t.database);
    expect(await statusOf(authenticate(new Request("http://localhost/"), "send"))).toBe(401);
    expect(await statusOf(authenticate(bearer("not-a-key"), "send"))).toBe(401);
    expect(await statusOf(authenticate(bearer(a.key.slice(0, -2) + "xx"), "send"))).toBe(401);
    await revokeApiKey(a.ctx, a.keyId);
    const res = await authenticate(bearer(a.key), "send").then(
      () => null,
      (err) => errorResponse(err),
    );
    expect(res?.status).toBe(401);
    expect(await res!.json()).toEqual({ error: { code: "unauthorized", message: "The API key is invalid or revoked" } });
  });

  it("a send-scope key may send but gets 403 on full-scope endpoints", async () => {
    const a = await workspaceFixture(t.database, undefined, "send");
    expect((await authenticate(bearer(a.key), "send")).workspaceId).toBe(a.workspace.id);
    expect(await statusOf(authenticate(bearer(a.key), "full"))).toBe(403);
  });

  it("keeps two workspaces apart: another workspace's key id answers 404 and never shows in lists", async () => {
    const a = await workspaceFixture(t.database);
    const b = await workspaceFixture(t.database);
    const bSecond = await createApiKey(b.ctx, { name: "b-second", scope: "send" });
    const aKeys = await listApiKeys(a.ctx);
    expect(aKeys.map((k) => k.id)).toEqual([a.keyId]);
    expect(await statusOf(revokeApiKey(a.ctx, bSecond.id))).toBe(404);
    // B's key still works: A's attempt changed nothing.
    expect((await authenticate(bearer(bSecond.key), "send")).workspaceId).toBe(b.workspace.id);
    // A's key resolves to A only.
    expect((await authenticate(bearer(a.key), "full")).workspaceId).toBe(a.workspace.id);
  });

  it("stores provider credentials encrypted: no plaintext in the row, masked in views, decrypted for the adapter", async () => {
    const a = await workspaceFixture(t.database);
    const token = "server-token-that-must-never-appear-in-plaintext";
    const verify: VerifyProvider = async () => ({ status: "pending", records: [{ kind: "dkim", name: "pm._domainkey.example.test", status: "pending" }] });
    await saveProviderConfig(a.ctx, "postmark", { api_token: token, default_sender: "ops@example.test", track_opens: true }, verify);

    const dump = await t.database.query<{ row: string }>(sql`select row_to_json(p)::text as row from provider_configs p`);
    expect(dump.length).toBeGreaterThan(0);
    for (const r of dump) expect(r.row).not.toContain(token);

    const [view] = await listProviderViews(a.ctx);
    expect(view!.credentials).toMatchObject({ api_token: "••••text" });
    expect(JSON.stringify(view)).not.toContain(token);
    expect(view!.verification.status).toBe("pending");
    expect(view!.webhook).toMatchObject({ url: expect.stringMatching(/\/webhooks\/postmark\/[\w-]+$/), username: expect.any(String), password_set: true });

    const [row] = await loadProviderRows(t.database, a.workspace.id);
    expect(adapterConfig(row! as never)).toMatchObject({ serverToken: token, defaultSender: "ops@example.test", trackOpens: true });
    // Bound to its row: the same ciphertext under another workspace's context does not decrypt.
    expect(() => decryptSecret(row!.secretsEncrypted, encryptionKey(), `ws_other:postmark`)).toThrow(/could not be decrypted/);
  });

  it("refused credentials store nothing and answer 422 with the provider's reason", async () => {
    const a = await workspaceFixture(t.database);
    const verify: VerifyProvider = async () => ({ status: "refused", reason: "Invalid API key", code: "10" });
    const res = await saveProviderConfig(a.ctx, "mailgun", { api_key: "key-bad", domain: "mg.example.test" }, verify).then(
      () => null,
      (err) => errorResponse(err),
    );
    expect(res?.status).toBe(422);
    expect(await res!.json()).toMatchObject({ error: { code: "provider_verification_failed", details: { reason: "Invalid API key" } } });
    expect(await loadProviderRows(t.database, a.workspace.id)).toEqual([]);
  });
});
