/**
 * What the Activity and message pages read and do (issue "Operator console, part 2"): the list's search (recipient
 * address, message id, the ESP's id) and per-row summary, "Retry now" on a failed recipient through the normal
 * pipeline with the action in its history, and cancelling the waiting recipients of a scheduled email.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, recipientsOf, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { getEmail, getEmailContent, listEmails, WITHHELD_BODY_TAG } from "@/lib/sending/read-emails";
import { cancelEmail, retryRecipient } from "@/lib/sending/recipient-actions";
import { getEventRaw } from "@/lib/events/list-events";
import { events } from "@/db/schema";
import { putFailover } from "@/lib/sending/workspace-settings";
import type { ServiceContext } from "@/lib/auth/context";

type Fixture = Awaited<ReturnType<typeof workspaceFixture>>;
const as = (ctx: ServiceContext, role: "viewer" | "admin"): ServiceContext => ({ ...ctx, actor: { type: "user", userId: "usr_x", role } });

describe.each(testDatabaseKinds())("activity on %s", (kind) => {
  let t: TestDatabase;
  let esp: Emulators;
  let w: Fixture;
  let clock: TestClock;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
  });
  afterAll(async () => {
    await esp?.close();
    await t?.drop();
  });
  beforeEach(async () => {
    w = await workspaceFixture(t.database);
    clock = new TestClock(new Date());
    await connectAll(w.ctx, esp);
  });

  it("finds messages by recipient address, message id and the provider's id, with each row's first recipient and providers", async () => {
    const a = await send(w.ctx, { to: ["jane@example.com", "john@example.com"], type: "marketing", provider: "mailgun" }, clock.now());
    const b = await send(w.ctx, { to: "Jane@Example.com", type: "transactional", provider: "postmark" }, clock.now());
    await send(w.ctx, { to: "someone-else@example.com", type: "transactional" }, clock.now());
    await makeDispatcher(t.database, clock).runOnce();

    const byAddress = await listEmails(w.ctx, { search: "JANE@example.com" });
    expect(byAddress.data.map((m) => m.id)).toEqual([b.id, a.id]);
    expect(byAddress.data[1]).toMatchObject({ recipient_count: 2, providers: ["mailgun"] });
    expect(["jane@example.com", "john@example.com"]).toContain(byAddress.data[1]!.first_recipient);
    expect((await listEmails(w.ctx, { search: a.id })).data.map((m) => m.id)).toEqual([a.id]);
    const [postmarkCopy] = await recipientsOf(t.database, b.id);
    expect(postmarkCopy!.providerMessageId).toBeTruthy();
    expect((await listEmails(w.ctx, { search: postmarkCopy!.providerMessageId! })).data.map((m) => m.id)).toEqual([b.id]);
    expect((await listEmails(w.ctx, { search: "nobody@example.com" })).data).toEqual([]);
    // Another workspace's address finds nothing here.
    const other = await workspaceFixture(t.database);
    expect((await listEmails(other.ctx, { search: "jane@example.com" })).data).toEqual([]);
  });

  it("retries a failed recipient through the normal pipeline and records the action in its history", async () => {
    await putFailover(w.ctx, { enabled: false });
    const msg = await send(w.ctx, { to: "inactive-reader@example.com", type: "transactional", provider: "postmark" }, clock.now());
    await makeDispatcher(t.database, clock).runOnce();
    const [failed] = await recipientsOf(t.database, msg.id);
    expect(failed, JSON.stringify(failed)).toMatchObject({ status: "failed" });

    await expect(retryRecipient(as(w.ctx, "viewer"), msg.id, failed!.id)).rejects.toMatchObject({ code: "forbidden" });
    const other = await workspaceFixture(t.database);
    await expect(retryRecipient(other.ctx, msg.id, failed!.id)).rejects.toMatchObject({ code: "not_found" });

    expect(await retryRecipient(as(w.ctx, "admin"), msg.id, failed!.id)).toEqual({ retried: 1 });
    expect((await recipientsOf(t.database, msg.id))[0]).toMatchObject({ status: "queued", chainPosition: 0, attempts: 0 });
    clock.current = new Date(Date.now() + 1_000); // due at the database's now(), later than this test's fixed clock
    await makeDispatcher(t.database, clock).runOnce();
    const view = await getEmail(w.ctx, msg.id);
    const r = view.recipients[0]!;
    expect(r.status).toBe("failed"); // Postmark still calls the address inactive: a second attempt, same verdict
    expect((r.attempt_log as Array<{ outcome: string }>).map((a) => a.outcome)).toEqual(["recipient_rejected", "recipient_rejected"]);
    expect(r.actions).toEqual([{ action: "retry", from_status: "failed", actor: "user:usr_x", at: expect.any(String) }]);

    // A sent recipient cannot be retried (no second copy by accident).
    const ok = await send(w.ctx, { to: "fine@example.com", provider: "postmark" }, clock.now());
    await makeDispatcher(t.database, clock).runOnce();
    const [sent] = await recipientsOf(t.database, ok.id);
    await expect(retryRecipient(w.ctx, ok.id, sent!.id)).rejects.toMatchObject({ code: "conflict" });
  });

  it("cancels a scheduled email's waiting recipients; they are never sent, and sent ones are untouched", async () => {
    const later = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const scheduled = await send(w.ctx, { to: ["a@example.com", "b@example.com"], send_at: later, provider: "postmark" }, clock.now());
    await expect(cancelEmail(as(w.ctx, "viewer"), scheduled.id)).rejects.toMatchObject({ code: "forbidden" });
    expect(await cancelEmail(w.ctx, scheduled.id)).toEqual({ cancelled: 2, recipients: ["a@example.com", "b@example.com"] });
    expect(await cancelEmail(w.ctx, scheduled.id)).toEqual({ cancelled: 0, recipients: [] });
    clock.advance(2 * 3_600_000);
    expect((await makeDispatcher(t.database, clock).runOnce()).sent).toBe(0);
    expect((await recipientsOf(t.database, scheduled.id)).map((r) => r.status)).toEqual(["cancelled", "cancelled"]);
    expect((await getEmail(w.ctx, scheduled.id)).recipients[0]!.actions).toEqual([expect.objectContaining({ action: "cancel", from_status: "queued" })]);

    const sentMsg = await send(w.ctx, { to: "c@example.com", provider: "postmark" }, clock.now());
    await makeDispatcher(t.database, clock).runOnce();
    expect(await cancelEmail(w.ctx, sentMsg.id)).toEqual({ cancelled: 0, recipients: [] });
    expect((await recipientsOf(t.database, sentMsg.id))[0]!.status).toBe("sent");
  });

  it("shows bodies on the message page, except an invitation's: its link grants a role", async () => {
    const plain = await send(w.ctx, { to: "x@example.com", html_body: "<p>Hi</p>", text_body: "Hi" }, clock.now());
    expect(await getEmailContent(as(w.ctx, "viewer"), plain.id)).toEqual({ html_body: "<p>Hi</p>", text_body: "Hi", withheld: null });
    const invite = await send(w.ctx, { to: "new@example.com", tags: [WITHHELD_BODY_TAG], text_body: "Join: https://app/invite/pmi_secret" }, clock.now());
    const content = await getEmailContent(as(w.ctx, "viewer"), invite.id);
    expect(content).toMatchObject({ html_body: null, text_body: null, withheld: expect.stringContaining("invitation") });
    expect(JSON.stringify(await getEmail(as(w.ctx, "viewer"), invite.id))).not.toContain("pmi_secret");
    // Nor through an ESP event that echoes the message (a bounce with the original content).
    const [rcp] = await recipientsOf(t.database, invite.id);
    await t.database.db.insert(events).values({ id: "evt_01withheld000000000000000", workspaceId: w.workspace.id, messageId: invite.id, recipientId: rcp!.id, provider: "postmark", type: "bounced", occurredAt: new Date(), dedupKey: `withheld-${invite.id}`, raw: { Content: "Join: https://app/invite/pmi_secret" } });
    const raw = await getEventRaw(as(w.ctx, "viewer"), "evt_01withheld000000000000000");
    expect(raw).toMatchObject({ raw: null, withheld: expect.stringContaining("invitation") });
    // Text a page's query cannot store is a 422, not a database error.
    await expect(listEmails(w.ctx, { search: "a\u0000b" })).rejects.toMatchObject({ code: "validation_error" });
  });
});
