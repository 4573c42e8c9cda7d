/**
 * Members and invitations (issue 13, item 5): the service rules on both databases — invitation links expire, work
 * once, can be revoked and replaced, store only a hash; new and existing users accept; the last owner stays; admins
 * cannot touch owners; every id is scoped to its workspace; a removed member's session loses the workspace at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { invitations, memberships, messageRecipients, messages } from "@/db/schema";
import type { Role } from "@/db/schema";
import type { ServiceContext } from "@/lib/auth/context";
import { checkSignIn } from "@/lib/auth/sign-in";
import { resolveSessionUser } from "@/lib/auth/session-user";
import { acceptInvitation, findInvitation } from "@/lib/workspaces/accept-invitation";
import { INVITATION_TAG } from "@/lib/workspaces/invitation-email";
import { hashInvitationToken } from "@/lib/workspaces/invitation-token";
import { inviteMember, listInvitations, loadMembersPage, revokeInvitation } from "@/lib/workspaces/invitations";
import { addMember, changeMemberRole, listMembers, removeMember } from "@/lib/workspaces/members";
import { AppError } from "@/lib/errors";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { storeProviderRows } from "../support/providers";

const DAY = 24 * 3_600_000;
const tokenOf = (url: string) => decodeURIComponent(url.split("/invite/")[1]!);

/** Runs `fn` and returns the AppError it throws (failing when it does not). */
async function refusal(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe.each(testDatabaseKinds())("members and invitations on %s", (kind) => {
  let t: TestDatabase;
  let a: Awaited<ReturnType<typeof workspaceFixture>>;
  let b: Awaited<ReturnType<typeof workspaceFixture>>;
  let n = 0;
  const as = (workspaceId: string, userId: string, role: Role): ServiceContext => ({ database: t.database, workspaceId, actor: { type: "user", userId, role } });
  const ownerA = () => as(a.workspace.id, a.user.id, "owner");
  /** A member of A with `role`, added the CLI way. */
  const memberOfA = async (role: Role) => {
    const added = await addMember(t.database, a.workspace.id, { email: `${role}-${++n}@a.test`, password: "member-password", role });
    return { ...added, ctx: as(a.workspace.id, added.user_id, role) };
  };
  const fresh = (label: string) => `${label}-${++n}@invitee.test`;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    a = await workspaceFixture(t.database);
    b = await workspaceFixture(t.database);
  });
  afterAll(async () => t?.drop());

  it("invites with a link whose token is stored only as a hash, and lists it as pending", async () => {
    const email = fresh("Mixed.Case");
    const result = await inviteMember(ownerA(), { email: email.toUpperCase(), role: "member" });
    expect(result.invitation).toMatchObject({ email: email.toLowerCase(), role: "member", status: "pending", invited_by: a.user.email });
    expect(result.url).toMatch(/\/invite\/pmi_[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(result.url);
    const [row] = await t.database.db.select().from(invitations).where(eq(invitations.id, result.invitation.id));
    expect(row!.tokenHash).toBe(hashInvitationToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    // Default expiry: 7 days.
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(7 * DAY);
    expect((await listInvitations(ownerA())).map((i) => i.id)).toContain(result.invitation.id);
    // No provider is connected in A yet: the link is only shown, and the answer says why.
    expect(result.email).toEqual({ status: "not_sent", reason: expect.stringContaining("No email provider") });
  });

  it("a new user sets a password, lands in the workspace with the role, and can sign in", async () => {
    const email = fresh("new");
    const { url } = await inviteMember(ownerA(), { email, role: "admin" });
    const lookup = await findInvitation(t.database, tokenOf(url));
    expect(lookup).toMatchObject({ status: "pending", email, role: "admin", workspace_name: a.workspace.name, existing_user: false, invited_by: a.user.email });

    const missing = await refusal(() => acceptInvitation(t.database, { token: tokenOf(url) }, { sessionUserId: null }));
    expect(missing.status).toBe(422);
    const accepted = await acceptInvitation(t.database, { token: tokenOf(url), password: "new-user-password" }, { sessionUserId: null });
    expect(accepted).toMatchObject({ workspace_id: a.workspace.id, role: "admin", email, created_user: true });
    expect(await checkSignIn(t.database, { email, password: "new-user-password" })).toMatchObject({ ok: true });
    expect(await resolveSessionUser(t.database, { userId: accepted.user_id, workspaceId: a.workspace.id })).toMatchObject({ workspaceId: a.workspace.id, role: "admin" });
    expect((await listMembers(ownerA())).find((m) => m.email === email)?.role).toBe("admin");
    expect((await listInvitations(ownerA())).map((i) => i.email)).not.toContain(email);
  });

  it("works once: a second accept, and a concurrent one, is refused", async () => {
    const { url } = await inviteMember(ownerA(), { email: fresh("once"), role: "viewer" });
    const token = tokenOf(url);
    const results = await Promise.allSettled([
      acceptInvitation(t.database, { token, password: "password-one" }, { sessionUserId: null }),
      acceptInvitation(t.database, { token, password: "password-two" }, { sessionUserId: null }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const again = await refusal(() => acceptInvitation(t.database, { token, password: "password-three" }, { sessionUserId: null }));
    expect(again.status).toBe(409);
    expect((await findInvitation(t.database, token)).status).toBe("accepted");
  });

  it("expires (default 7 days, or expires_in_days) and an expired link adds nobody", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const { url, invitation } = await inviteMember(ownerA(), { email: fresh("late"), role: "member", expires_in_days: 2 }, { now });
    expect(invitation.expires_at).toBe("2030-01-03T00:00:00.000Z");
    const token = tokenOf(url);
    expect((await findInvitation(t.database, token, new Date(now.getTime() + 2 * DAY - 1))).status).toBe("pending");
    expect((await findInvitation(t.database, token, new Date(now.getTime() + 2 * DAY))).status).toBe("expired");
    const late = await refusal(() => acceptInvitation(t.database, { token, password: "late-password" }, { sessionUserId: null, now: new Date(now.getTime() + 2 * DAY + 1) }));
    expect(late).toMatchObject({ code: "conflict", details: { reason: "expired" } });
    expect((await listInvitations(ownerA(), { now: new Date(now.getTime() + 3 * DAY) })).find((i) => i.id === invitation.id)?.status).toBe("expired");
    expect((await listMembers(ownerA())).map((m) => m.email)).not.toContain(invitation.email);
    expect((await refusal(() => inviteMember(ownerA(), { email: fresh("x"), role: "member", expires_in_days: 31 }))).status).toBe(422);
  });

  it("an existing user accepts only signed in as the invited address, and then switches between workspaces", async () => {
    const { url } = await inviteMember(ownerA(), { email: b.user.email, role: "member" });
    const token = tokenOf(url);
    expect(await findInvitation(t.database, token)).toMatchObject({ status: "pending", existing_user: true });
    expect(await refusal(() => acceptInvitation(t.database, { token }, { sessionUserId: null }))).toMatchObject({ status: 401 });
    // A password in the body does not replace the sign-in, and creates no second account.
    expect(await refusal(() => acceptInvitation(t.database, { token, password: "guessed-password" }, { sessionUserId: null }))).toMatchObject({ status: 401 });
    expect(await refusal(() => acceptInvitation(t.database, { token }, { sessionUserId: a.user.id }))).toMatchObject({ status: 403 });
    const accepted = await acceptInvitation(t.database, { token }, { sessionUserId: b.user.id });
    expect(accepted).toMatchObject({ workspace_id: a.workspace.id, role: "member", created_user: false, user_id: b.user.id });

    const inA = await resolveSessionUser(t.database, { userId: b.user.id, workspaceId: a.workspace.id });
    expect(inA).toMatchObject({ workspaceId: a.workspace.id, role: "member" });
    expect(inA!.workspaces.map((w) => [w.id, w.role])).toEqual([
      [b.workspace.id, "owner"],
      [a.workspace.id, "member"],
    ]);
    expect(await resolveSessionUser(t.database, { userId: b.user.id, workspaceId: b.workspace.id })).toMatchObject({ workspaceId: b.workspace.id, role: "owner" });
  });

  it("refuses to invite a member again; inviting an open address again replaces its link; revoked links stop working", async () => {
    expect(await refusal(() => inviteMember(ownerA(), { email: a.user.email, role: "viewer" }))).toMatchObject({ status: 409 });
    const email = fresh("twice");
    const first = await inviteMember(ownerA(), { email, role: "viewer" });
    const second = await inviteMember(ownerA(), { email, role: "member" });
    expect((await findInvitation(t.database, tokenOf(first.url))).status).toBe("revoked");
    expect((await listInvitations(ownerA())).filter((i) => i.email === email).map((i) => i.role)).toEqual(["member"]);
    await revokeInvitation(ownerA(), second.invitation.id);
    expect(await refusal(() => acceptInvitation(t.database, { token: tokenOf(second.url), password: "revoked-password" }, { sessionUserId: null }))).toMatchObject({ details: { reason: "revoked" } });
    expect(await refusal(() => revokeInvitation(ownerA(), second.invitation.id))).toMatchObject({ status: 404 });
    expect((await findInvitation(t.database, "pmi_not-a-real-token")).status).toBe("invalid");
    expect(await refusal(() => acceptInvitation(t.database, { token: "pmi_not-a-real-token", password: "whatever-pass" }, { sessionUserId: null }))).toMatchObject({ status: 404 });
  });

  it("never demotes or removes the last owner", async () => {
    const demote = await refusal(() => changeMemberRole(ownerA(), a.user.id, { role: "admin" }));
    expect(demote).toMatchObject({ status: 409, details: { reason: "last_owner" } });
    expect(await refusal(() => removeMember(ownerA(), a.user.id))).toMatchObject({ status: 409 });
    // With a second owner, one may go.
    const second = await memberOfA("owner");
    await changeMemberRole(ownerA(), second.user_id, { role: "admin" });
    expect(await refusal(() => changeMemberRole(ownerA(), a.user.id, { role: "member" }))).toMatchObject({ status: 409 });
  });

  it("two owners demoting each other at once leave one owner (raced in several workspaces)", async () => {
    const pairs = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const w = await workspaceFixture(t.database);
        const other = await addMember(t.database, w.workspace.id, { email: `co-owner-${++n}@w.test`, password: "co-owner-pass", role: "owner" });
        return { w, other };
      }),
    );
    await Promise.allSettled(
      pairs.flatMap(({ w, other }) => [
        changeMemberRole(as(w.workspace.id, w.user.id, "owner"), other.user_id, { role: "viewer" }),
        changeMemberRole(as(w.workspace.id, other.user_id, "owner"), w.user.id, { role: "viewer" }),
      ]),
    );
    for (const { w } of pairs) {
      const owners = await t.database.db.select().from(memberships).where(and(eq(memberships.workspaceId, w.workspace.id), eq(memberships.role, "owner")));
      expect(owners).toHaveLength(1);
    }
  });

  it("role limits: admins manage members but not owners; members and viewers only read", async () => {
    const admin = await memberOfA("admin");
    const member = await memberOfA("member");
    const viewer = await memberOfA("viewer");
    expect(await refusal(() => inviteMember(admin.ctx, { email: fresh("o"), role: "owner" }))).toMatchObject({ status: 403 });
    expect((await inviteMember(admin.ctx, { email: fresh("adm"), role: "admin" })).invitation.role).toBe("admin");
    expect(await refusal(() => changeMemberRole(admin.ctx, member.user_id, { role: "owner" }))).toMatchObject({ status: 403 });
    expect(await refusal(() => changeMemberRole(admin.ctx, a.user.id, { role: "member" }))).toMatchObject({ status: 403 });
    expect(await refusal(() => removeMember(admin.ctx, a.user.id))).toMatchObject({ status: 403 });
    expect(await changeMemberRole(admin.ctx, member.user_id, { role: "viewer" })).toMatchObject({ role: "viewer" });
    await changeMemberRole(admin.ctx, member.user_id, { role: "member" });
    const ownerInvite = await inviteMember(ownerA(), { email: fresh("owner-invite"), role: "owner" });
    expect(await refusal(() => revokeInvitation(admin.ctx, ownerInvite.invitation.id))).toMatchObject({ status: 403 });

    for (const reader of [member.ctx, viewer.ctx]) {
      expect((await listMembers(reader)).length).toBeGreaterThan(1);
      expect((await listInvitations(reader)).length).toBeGreaterThan(0);
      expect(await refusal(() => inviteMember(reader, { email: fresh("r"), role: "viewer" }))).toMatchObject({ status: 403 });
      expect(await refusal(() => changeMemberRole(reader, admin.user_id, { role: "viewer" }))).toMatchObject({ status: 403 });
      expect(await refusal(() => removeMember(reader, admin.user_id))).toMatchObject({ status: 403 });
      expect(await refusal(() => revokeInvitation(reader, ownerInvite.invitation.id))).toMatchObject({ status: 403 });
    }
    // A full-scope API key acts as an admin: it cannot create owners.
    const key: ServiceContext = { database: t.database, workspaceId: a.workspace.id, actor: { type: "api_key", keyId: a.keyId, scope: "full" } };
    expect(await refusal(() => inviteMember(key, { email: fresh("k"), role: "owner" }))).toMatchObject({ status: 403 });
    expect((await inviteMember(key, { email: fresh("k"), role: "viewer" })).invitation.invited_by).toBeNull();
  });

  it("is scoped to the workspace: B cannot see, revoke, change or remove anything of A's", async () => {
    const member = await memberOfA("member");
    const { invitation } = await inviteMember(ownerA(), { email: fresh("scoped"), role: "viewer" });
    const ownerB = as(b.workspace.id, b.user.id, "owner");
    expect((await listInvitations(ownerB)).map((i) => i.id)).not.toContain(invitation.id);
    expect((await listMembers(ownerB)).map((m) => m.user_id)).not.toContain(member.user_id);
    expect(await refusal(() => revokeInvitation(ownerB, invitation.id))).toMatchObject({ status: 404 });
    expect(await refusal(() => changeMemberRole(ownerB, member.user_id, { role: "owner" }))).toMatchObject({ status: 404 });
    expect(await refusal(() => removeMember(ownerB, member.user_id))).toMatchObject({ status: 404 });
    expect((await listMembers(ownerA())).find((m) => m.user_id === member.user_id)?.role).toBe("member");
    expect((await findInvitation(t.database, "pmi_x")).status).toBe("invalid");
  });

  it("a removed member's session loses the workspace at its next request", async () => {
    const only = await memberOfA("admin");
    expect(await resolveSessionUser(t.database, { userId: only.user_id, workspaceId: a.workspace.id })).toMatchObject({ workspaceId: a.workspace.id });
    await removeMember(ownerA(), only.user_id);
    expect(await resolveSessionUser(t.database, { userId: only.user_id, workspaceId: a.workspace.id })).toBeNull();
    // A user of two workspaces falls back to the other one, never to the workspace they left.
    await removeMember(ownerA(), b.user.id);
    expect(await resolveSessionUser(t.database, { userId: b.user.id, workspaceId: a.workspace.id })).toMatchObject({ workspaceId: b.workspace.id, role: "owner" });
  });

  it("emails the invitation through the transactional route, from the first hop's default sender", async () => {
    const w = await workspaceFixture(t.database);
    const owner = as(w.workspace.id, w.user.id, "owner");
    expect((await loadMembersPage(owner)).sender).toMatchObject({ from: null });
    // Mailgun has no default sender: with Mailgun first and Postmark next, Postmark's sender is used.
    await storeProviderRows(w.ctx, ["mailgun", "postmark"]);
    expect((await loadMembersPage(owner)).sender).toMatchObject({ from: "ops@example.test", provider: "postmark" });
    const email = fresh("mailed");
    const result = await inviteMember(owner, { email, role: "member" });
    expect(result.email, JSON.stringify(result.email)).toMatchObject({ status: "queued", from: "ops@example.test" });
    if (result.email.status !== "queued") throw new Error("not queued");
    const [message] = await t.database.db.select().from(messages).where(and(eq(messages.id, result.email.message_id), eq(messages.workspaceId, w.workspace.id)));
    expect(message).toMatchObject({ type: "transactional", fromAddress: "ops@example.test", tags: [INVITATION_TAG], trackLinks: false });
    expect(message!.textBody).toContain(result.url);
    const recipients = await t.database.db.select().from(messageRecipients).where(eq(messageRecipients.messageId, message!.id));
    expect(recipients.map((r) => [r.email, r.status])).toEqual([[email, "queued"]]);
    const [row] = await t.database.db.select().from(invitations).where(eq(invitations.id, result.invitation.id));
    expect(row!.messageId).toBe(message!.id);
  });
});
