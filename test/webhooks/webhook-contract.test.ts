/**
 * The webhook contract suite: every provider module with a webhook side passes the same cases, through the one real
 * route handler (`/webhooks/{provider}/{hook_id}`) on both databases, fed by that provider's own fixtures
 * (./contract/<kind>.ts). Adding a provider = adding its fixtures to WEBHOOK_CONTRACTS and making this file green.
 */
import type { ProviderModule } from "@/lib/providers/types";
import { revealWebhookCredentials } from "@/lib/providers/webhook-credentials";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { events } from "@/db/schema";
import { POST } from "@/app/webhooks/[provider]/[hookId]/route";
import { getProviderView, saveProviderConfig, type VerifyProvider } from "@/lib/providers/provider-configs";
import { PROVIDER_KINDS } from "@/lib/providers/provider-kind";
import { providerModules } from "@/lib/providers/registry";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { WEBHOOK_CONTRACTS } from "./contract";
import type { SentCopy } from "./contract/types";
import { eventCount, sentRecipients } from "./webhook-fixtures";

const verified: VerifyProvider = async () => ({ status: "verified", records: [] });
const withWebhooks = PROVIDER_KINDS.filter((kind) => WEBHOOK_CONTRACTS[kind] !== null);

it("has contract fixtures for exactly the modules that receive webhooks", () => {
  for (const kind of PROVIDER_KINDS) expect(WEBHOOK_CONTRACTS[kind] !== null, kind).toBe(providerModules[kind].webhook !== null);
  expect(withWebhooks.length).toBeGreaterThan(0);
});

describe.each(testDatabaseKinds())("webhook contract on %s", (dbKind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dbKind);
    useAsProcessDatabase(t.database);
  });
  afterAll(async () => t?.drop());

  describe.each(withWebhooks)("%s", (kind) => {
    const fixtures = WEBHOOK_CONTRACTS[kind]!;
    let ws: Awaited<ReturnType<typeof workspaceFixture>>;
    let url: string;
    let webhook: Record<string, unknown>;
    let sentCount = 0;

    /** The route as the ESP reaches it: the path of the URL the operator pasted. */
    const call = (request: Request) => {
      const [, , provider, hookId] = new URL(url).pathname.split("/");
      return POST(request, { params: Promise.resolve({ provider: provider!, hookId: hookId! }) });
    };
    const sentCopy = async (): Promise<SentCopy> => {
      const n = ++sentCount;
      const email = `contract-${kind}-${n}-${Date.now().toString(36)}@example.com`;
      const providerMessageId = fixtures.providerMessageId(n);
      const sent = await sentRecipients(t.database, ws.workspace.id, { provider: kind, providerMessageId, emails: [email] });
      return { messageId: sent.messageId, recipientId: sent.recipientIds[0]!, email, providerMessageId };
    };
    const eventsOf = (recipientId: string) =>
      t.database.db.select().from(events).where(and(eq(events.workspaceId, ws.workspace.id), eq(events.recipientId, recipientId)));

    beforeAll(async () => {
      ws = await workspaceFixture(t.database);
      await saveProviderConfig(ws.ctx, kind, fixtures.connectBody, verified);
      const view = await getProviderView(ws.ctx, kind);
      expect(view.webhook).not.toBeNull();
      ({ url, ...webhook } = view.webhook!);
      // Credentials we generated for the ESP are not in the view; an admin reveals them on request.
      if ((providerModules[kind] as ProviderModule).webhook?.reveal) webhook = { ...webhook, ...(await revealWebhookCredentials(ws.ctx, kind)).credentials };
      expect(new URL(url).pathname).toMatch(new RegExp(`^/webhooks/${kind}/[^/]+$`));
    });

    it.each(fixtures.events)("normalizes an authentic $fixture", async ({ fixture, expect: wanted }) => {
      const copy = await sentCopy();
      const now = new Date();
      const res = await call(fixtures.authentic(url, fixtures.body(fixture, copy, now), webhook, now));
      expect(res.status).toBe(200);
      const receipt = await res.json();
      const stored = await eventsOf(copy.recipientId);
      if (wanted === "ignored") {
        expect(receipt).toMatchObject({ stored: 0, ignored: expect.any(String) });
        expect(stored).toEqual([]);
        return;
      }
      expect(receipt).toMatchObject({ stored: 1, duplicates: 0, replayed: false });
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ provider: kind, type: wanted.type, messageId: copy.messageId, recipientEmail: copy.email });
      expect((stored[0]!.details as { bounceClass?: string }).bounceClass).toBe(wanted.bounceClass);
      expect(stored[0]!.raw).not.toBeNull();
    });

    it("keeps one event when the ESP retries a delivery", async () => {
      const copy = await sentCopy();
      const now = new Date();
      const body = fixtures.body(fixtures.events[0]!.fixture, copy, now);
      const first = await call(fixtures.authentic(url, body, webhook, now));
      const retry = await call(fixtures.authentic(url, body, webhook, now));
      expect([first.status, retry.status]).toEqual([200, 200]);
      expect(await first.json()).toMatchObject({ stored: 1, duplicates: 0, replayed: false });
      expect(await retry.json()).toMatchObject({ stored: 0, duplicates: 1 });
      expect(await eventsOf(copy.recipientId)).toHaveLength(1);
    });

    it("rejects forged credentials with 401 before the body is trusted, storing nothing", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      const res = await call(fixtures.forged(url, webhook, new Date()));
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
    });

    it("rejects a request without credentials with 401", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      expect((await call(fixtures.unauthenticated(url, new Date()))).status).toBe(401);
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
    });

    it("answers a malformed body with 400, storing nothing", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      const now = new Date();
      const authentic = fixtures.authentic(url, {}, webhook, now);
      const notJson = await call(new Request(url, { method: "POST", headers: authentic.headers, body: "{not json" }));
      expect(notJson.status).toBe(400);
      const invalid = await call(fixtures.invalid(url, webhook, now));
      expect(invalid.status).toBe(400);
      expect((await invalid.json()).error.code).toBe("invalid_request");
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
    });
  });
});
