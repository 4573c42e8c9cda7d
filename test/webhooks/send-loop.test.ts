import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revealWebhookCredentials } from "@/lib/providers/webhook-credentials";
import { and, eq } from "drizzle-orm";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { startRouteBridge } from "../support/route-bridge";
import { listProviderViews } from "@/lib/providers/provider-configs";
import { events, messageRecipients, suppressions } from "@/db/schema";
import { MAILGUN_TEST_SIGNING_KEY } from "../emulators/mailgun-emulator";
import { POST as webhookPost } from "@/app/webhooks/[provider]/[hookId]/route";
import { GET as openPixel } from "@/app/t/o/[token]/route";
import { GET as clickRedirect } from "@/app/t/c/[token]/route";

/**
 * The whole loop, once per provider: send → dispatcher → ESP (emulator) → webhook → normalized event → recipient
 * state → suppression → the next send to that address is refused.
 */
describe.each(testDatabaseKinds())("send → webhook → suppression loop on %s", (kind) => {
  let t: TestDatabase;
  let esp: Emulators;
  let bridge: Awaited<ReturnType<typeof startRouteBridge>>;
  let w: Awaited<ReturnType<typeof workspaceFixture>>;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
    bridge = await startRouteBridge([
      ["POST", "/webhooks/:provider/:hookId", webhookPost as never],
      ["GET", "/t/o/:token", openPixel as never],
      ["GET", "/t/c/:token", clickRedirect as never],
    ]);
    process.env.APP_URL = bridge.url; // webhook and tracking URLs point at the bridge
    delete (globalThis as { __pmEnv?: unknown }).__pmEnv;
    w = await workspaceFixture(t.database);
    await connectAll(w.ctx, esp);
    const views = await listProviderViews(w.ctx);
    const pm = { ...(views.find((v) => v.kind === "postmark")!.webhook as { url: string }), ...((await revealWebhookCredentials(w.ctx, "postmark")).credentials as { username: string; password: string }) };
    const mg = views.find((v) => v.kind === "mailgun")!.webhook as { url: string };
    esp.postmark.setWebhook({ url: pm.url, basicAuth: { username: pm.username, password: pm.password } });
    esp.mailgun.setWebhook({ url: mg.url, signingKey: MAILGUN_TEST_SIGNING_KEY });
  });
  afterAll(async () => {
    delete process.env.APP_URL;
    await bridge?.close();
    await esp?.close();
    await t?.drop();
  });

  const statusOf = async (messageId: string, email: string) =>
    (await t.database.db.select().from(messageRecipients).where(and(eq(messageRecipients.messageId, messageId), eq(messageRecipients.email, email))))[0]!.status;
  const eventTypes = async (messageId: string) => (await t.database.db.select().from(events).where(eq(events.messageId, messageId))).map((e) => e.type).sort();
  const isSuppressed = async (email: string) =>
    (await t.database.db.select().from(suppressions).where(and(eq(suppressions.workspaceId, w.workspace.id), eq(suppressions.email, email)))).length === 1;

  it.each([
    ["postmark", "transactional"],
    ["mailgun", "marketing"],
  ] as const)("%s: delivered and opened, bounced and suppressed, and the next send to the bounced address is refused", async (provider, type) => {
    const ok = `ok-${provider}@example.com`;
    const bounced = `bounce-${provider}@example.com`;
    const msg = await send(w.ctx, { to: [ok, bounced], type }, clock.now());
    await makeDispatcher(t.database, clock).drain();
    const emulator = provider === "postmark" ? esp.postmark : esp.mailgun;
    await emulator.flushWebhooks();
    await emulator.emitEvent(ok, "opened");
    await emulator.flushWebhooks();
    expect(emulator.webhookDeliveries.every((d) => d.status === 200)).toBe(true);

    expect(await statusOf(msg.id, ok)).toBe("delivered");
    expect(await statusOf(msg.id, bounced)).toBe("bounced");
    expect(await eventTypes(msg.id)).toEqual(["bounced", "delivered", "opened"]);
    expect(await isSuppressed(bounced)).toBe(true);
    expect(await isSuppressed(ok)).toBe(false);

    const again = await send(w.ctx, { to: bounced, type }, clock.now());
    expect(again.recipients[0]!.status).toBe("suppressed");
  });

  it("smtp: our own open pixel and click link record opened and clicked, and the click lands on the original URL", async () => {
    const to = "reader@example.com";
    const msg = await send(w.ctx, { to, type: "cold_outreach", track_opens: true, track_links: true }, clock.now());
    await makeDispatcher(t.database, clock).drain();
    expect(await statusOf(msg.id, to)).toBe("sent");
    const html = esp.smtp.messageTo(to)!.html!;
    const pixel = /<img[^>]+src="([^"]+\/t\/o\/[^"]+)"/.exec(html)![1]!;
    const link = /href="([^"]+\/t\/c\/[^"]+)"/.exec(html)![1]!;
    const open = await fetch(pixel.replace(/&amp;/g, "&"));
    expect(open.status).toBe(200);
    expect(open.headers.get("content-type")).toBe("image/gif");
    const click = await fetch(link.replace(/&amp;/g, "&"), { redirect: "manual" });
    expect(click.status).toBe(302);
    expect(click.headers.get("location")).toBe("https://acme.example/x");
    expect(await eventTypes(msg.id)).toEqual(["clicked", "opened"]);
  });
});
