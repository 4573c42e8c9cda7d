/**
 * PostgreSQL cut off mid-run (issue "Hardening, part 2"), through a loopback TCP proxy this test owns — the shared
 * server is never restarted: while the database is unreachable, webhooks answer 5xx (so the ESP retries) and store
 * nothing; once it is back, the app reconnects by itself and the ESP's retry is stored exactly once.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { openDatabase, type Database } from "@/db/client";
import { events, workspaces } from "@/db/schema";
import { POST as webhookPost } from "@/app/webhooks/[provider]/[hookId]/route";
import { createTestDatabase, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { basicAuth, postmarkPayload, postmarkRequest, sentRecipients, webhookWorkspace } from "../webhooks/webhook-fixtures";

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
async function startProxy(target: { host: string; port: number }) {
  const open = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    const upstream = net.connect(target.port, target.host);
    open.add(client).add(upstream);
    const close = () => (client.destroy(), upstream.destroy(), open.delete(client), open.delete(upstream));
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      cut = true;
      for (const s of open) s.destroy();
    },
    restore() {
      cut = false;
    },
    close: () => new Promise<void>((resolve) => (open.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))("PostgreSQL outage", () => {
  let t: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let proxied: Database;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    const url = new URL(t.url!);
    proxy = await startProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    proxied = await openDatabase({ url: url.toString(), maxConnections: 4 });
    useAsProcessDatabase(proxied);
  });
  afterAll(async () => {
    await proxied?.close().catch(() => {});
    await proxy?.close();
    await t?.drop();
  });

  it("answers webhooks 5xx while the database is gone, then stores the ESP's retry once", async () => {
    const ws = await webhookWorkspace(t.database);
    const [{ hookId }] = await t.database.db.select({ hookId: workspaces.hookId }).from(workspaces).where(eq(workspaces.id, ws.workspace.id));
    const sent = await sentRecipients(t.database, ws.workspace.id, { provider: "postmark", providerMessageId: "outage-1", emails: ["outage@example.com"] });
    const body = postmarkPayload("delivery", { MessageID: "outage-1", Recipient: "outage@example.com", Metadata: { pm_recipient_id: sent.recipientIds[0] } });
    const deliver = () =>
      webhookPost(postmarkRequest(hookId!, body, basicAuth(ws.postmarkAuth.username, ws.postmarkAuth.password)), { params: Promise.resolve({ provider: "postmark", hookId: hookId! }) });
    const stored = async () => (await t.database.db.select().from(events).where(eq(events.workspaceId, ws.workspace.id))).length;

    expect((await deliver()).status).toBe(200); // warm: endpoint cached, connections open
    const before = await stored();

    proxy.cut();
    const during = await deliver();
    expect(during.status).toBe(503);
    expect(during.headers.get("retry-after")).toBe("5");
    expect((await during.json()).error.code).toBe("service_unavailable");
    expect(await stored()).toBe(before);

    proxy.restore();
    const retried = { ...body, DeliveredAt: "2026-01-01T10:00:06Z" }; // the ESP's retry of the event it could not deliver
    const again = () =>
      webhookPost(postmarkRequest(hookId!, retried, basicAuth(ws.postmarkAuth.username, ws.postmarkAuth.password)), { params: Promise.resolve({ provider: "postmark", hookId: hookId! }) });
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await again()).status; // the pool reconnects on its own; a connection dropped mid-query may fail once
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect(await (await again()).json()).toMatchObject({ stored: 0, duplicates: 1 });
    expect(await stored()).toBe(before + 1);
  });
});
