import { expect, test, type Page } from "@playwright/test";
import { otherOwner, OTHER_WORKSPACE, owner, signIn, startConsoleWorldWithSecondWorkspace, viewer, WORKSPACE } from "./fixtures/console-app";
import { expectAccessible, screenshot } from "./fixtures/page-checks";

/**
 * Members (issue 13, item 5): an owner invites by email; the invitation arrives through the workspace's own
 * transactional route (Postmark emulator); a new user sets a password in a second browser and lands in the
 * workspace; an existing user (owner of another workspace) accepts with their own sign-in and switches between
 * workspaces; roles change; a removed member's session loses access at once; a viewer only reads.
 */
test.describe.configure({ mode: "serial" });

type World = Awaited<ReturnType<typeof startConsoleWorldWithSecondWorkspace>>;
let world: World;
let ownerPage: Page;
let newcomerPage: Page;
let otherPage: Page;
const newcomer = { email: "new.person@acme.test", password: "newcomer-password-1" };
const INVITE_LINK = /https?:\/\/[^\s"<]+\/invite\/pmi_[A-Za-z0-9_-]+/;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  world = await startConsoleWorldWithSecondWorkspace();
  const page = async () => (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  ownerPage = await page();
  newcomerPage = await page();
  otherPage = await page();
  await signIn(ownerPage, world.app.url, owner);
  const connected = await ownerPage.request.put(`${world.app.url}/api/v1/providers/postmark`, {
    headers: { origin: world.app.url },
    data: { api_token: world.secrets.postmarkServer, default_sender: "ops@example.com" },
  });
  expect(connected.status()).toBe(200);
});

test.afterAll(async () => {
  for (const page of [ownerPage, newcomerPage, otherPage]) await page?.context().close();
  await world?.stop();
});

async function invite(page: Page, email: string, role: string): Promise<string> {
  await page.goto(`${world.app.url}/settings/members`);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption(role);
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByTestId("invitation-result")).toContainText(`Invitation for ${email} (${role})`);
  return (await page.getByTestId("invitation-link").textContent())!.trim();
}

test("an owner invites by email; the newcomer sets a password in another browser and lands in the workspace", async () => {
  const page = ownerPage;
  await page.goto(`${world.app.url}/settings/members`);
  await expect(page.getByTestId("invite-delivery")).toContainText("emailed from ops@example.com through Postmark");
  // Client-side validation with the API's schema, announced next to the field.
  await page.getByLabel("Email address").fill("not-an-address");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();

  const link = await invite(page, newcomer.email, "member");
  expect(link).toMatch(INVITE_LINK);
  await expect(page.getByTestId("invitation-email-status")).toContainText("Emailed from ops@example.com");
  await expect(page.getByRole("table", { name: "Pending invitations" })).toContainText(newcomer.email);
  await expectAccessible(page);
  await screenshot(page, "members");

  // The same link arrives by email, sent by the dispatcher through Postmark (the workspace's transactional route).
  await expect.poll(() => world.postmark.accepted.find((m) => m.recipients.includes(newcomer.email))?.message.TextBody ?? "", { timeout: 20_000 }).toMatch(INVITE_LINK);
  const mailed = world.postmark.accepted.find((m) => m.recipients.includes(newcomer.email))!;
  expect(mailed.message.From).toBe("ops@example.com");
  expect(String(mailed.message.TextBody).match(INVITE_LINK)![0]).toBe(link);

  const guest = newcomerPage;
  await guest.goto(link);
  await expect(guest.getByRole("heading", { name: `Join ${WORKSPACE}` })).toBeVisible();
  await expect(guest.getByText(`${owner.email} invited ${newcomer.email}`)).toBeVisible();
  await guest.getByLabel("Password", { exact: true }).fill(newcomer.password);
  await guest.getByLabel("Repeat the password").fill("something-else");
  await guest.getByRole("button", { name: "Create account and join" }).click();
  await expect(guest.getByText("The passwords do not match")).toBeVisible();
  await guest.getByLabel("Repeat the password").fill(newcomer.password);
  await expectAccessible(guest);
  await screenshot(guest, "invite-accept");
  await guest.getByRole("button", { name: "Create account and join" }).click();
  await expect(guest.getByTestId("current-user")).toContainText(newcomer.email);
  await expect(guest.getByTestId("current-user")).toContainText(WORKSPACE);
  await expect(guest.getByTestId("current-user")).toContainText("role: member");

  // Single use: the link now only says so.
  await otherPage.goto(link);
  await expect(otherPage.getByText("This invitation was already used.")).toBeVisible();
  await expectAccessible(otherPage);

  await page.reload();
  await expect(page.getByRole("table", { name: "Workspace members" })).toContainText(newcomer.email);
  await expect(page.getByRole("table", { name: "Pending invitations" })).not.toContainText(newcomer.email);
});

test("an existing user accepts with their own sign-in and switches between their workspaces", async () => {
  const link = await invite(ownerPage, otherOwner.email, "admin");
  const page = otherPage;
  await page.goto(link);
  await expect(page.getByText(`${otherOwner.email} already has an account: sign in to accept.`)).toBeVisible();
  await page.getByLabel("Password").fill("wrong-password-here");
  await page.getByRole("button", { name: "Sign in and join" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong password." })).toBeVisible();
  await page.getByLabel("Password").fill(otherOwner.password);
  await page.getByRole("button", { name: "Sign in and join" }).click();
  await expect(page.getByTestId("current-user")).toContainText("role: admin");

  const switcher = page.getByLabel("Workspace", { exact: true });
  await expect(switcher.locator("option:checked")).toHaveText(`${WORKSPACE} (admin)`);
  await expectAccessible(page);
  await switcher.selectOption({ label: `${OTHER_WORKSPACE} (owner)` });
  await expect(page.getByTestId("current-user")).toContainText("role: owner");
  await page.goto(`${world.app.url}/settings/members`);
  await expect(page.getByRole("table", { name: "Workspace members" })).not.toContainText(owner.email);
  await page.getByLabel("Workspace", { exact: true }).selectOption({ label: `${WORKSPACE} (admin)` });
  await expect(page.getByTestId("current-user")).toContainText("role: admin");
  await expect(page.getByRole("table", { name: "Workspace members" })).toContainText(owner.email);
  // An admin does not get to touch the owner: no role control or remove button on the owner's row.
  await expect(page.getByLabel(`Role of ${owner.email}`)).toHaveCount(0);
  await expect(page.getByRole("button", { name: `Remove ${owner.email}` })).toHaveCount(0);
  const promote = await page.request.patch(`${world.app.url}/api/v1/members/${await userIdOf(page, newcomer.email)}`, { headers: { origin: world.app.url }, data: { role: "owner" } });
  expect(promote.status()).toBe(403);
});

test("roles change; the last owner stays; a removed member's session loses access at once", async () => {
  const page = ownerPage;
  await page.goto(`${world.app.url}/settings/members`);
  await page.getByLabel(`Role of ${newcomer.email}`).selectOption("viewer");
  await expect(page.getByTestId("toast").first()).toContainText(`${newcomer.email} is now viewer`);
  await newcomerPage.reload();
  await expect(newcomerPage.getByTestId("current-user")).toContainText("role: viewer");

  await page.getByLabel(`Role of ${owner.email}`).selectOption("admin");
  await expect(page.getByTestId("toast").filter({ hasText: "Role not changed" })).toContainText("last owner");
  await expect(page.getByLabel(`Role of ${owner.email}`)).toHaveValue("owner");

  await page.getByRole("button", { name: `Remove ${newcomer.email}` }).click();
  await expect(page.getByRole("alertdialog")).toContainText("lose access to this workspace at once");
  await page.getByRole("alertdialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Member removed" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Workspace members" })).not.toContainText(newcomer.email);

  // The newcomer's session cookie is still valid, but the membership is gone: the API and every page refuse now.
  expect((await newcomerPage.request.get(`${world.app.url}/api/v1/members`)).status()).toBe(401);
  await newcomerPage.goto(`${world.app.url}/settings/members`);
  await expect(newcomerPage).toHaveURL(/\/login$/);

  // A member of two workspaces removed from one is back in the other at their next request, never in this one.
  await page.getByRole("button", { name: `Remove ${otherOwner.email}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("table", { name: "Workspace members" })).not.toContainText(otherOwner.email);
  await otherPage.reload();
  await expect(otherPage.getByTestId("current-user")).toContainText(OTHER_WORKSPACE);
  await expect(otherPage.getByTestId("current-user")).toContainText("role: owner");
});

test("a pending invitation can be revoked; a viewer reads the page and the server refuses their changes", async () => {
  await invite(ownerPage, "later@acme.test", "viewer");
  const link = (await ownerPage.getByTestId("invitation-link").textContent())!.trim();
  await ownerPage.getByRole("button", { name: "Revoke the invitation for later@acme.test" }).click();
  await ownerPage.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
  await expect(ownerPage.getByRole("table", { name: "Pending invitations" })).not.toContainText("later@acme.test");
  await newcomerPage.goto(link);
  await expect(newcomerPage.getByText("This invitation was revoked.")).toBeVisible();

  const page = newcomerPage;
  await signIn(page, world.app.url, viewer);
  await page.goto(`${world.app.url}/settings/members`);
  await expect(page.getByRole("note")).toContainText("Read-only");
  await expect(page.getByRole("button", { name: "Invite" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Remove/ })).toHaveCount(0);
  await expectAccessible(page);
  const refused = await page.request.post(`${world.app.url}/api/v1/invitations`, { headers: { origin: world.app.url }, data: { email: "sneaky@acme.test", role: "owner" } });
  expect(refused.status()).toBe(403);
});

async function userIdOf(page: Page, email: string): Promise<string> {
  const members = (await (await page.request.get(`${world.app.url}/api/v1/members`)).json()) as { data: Array<{ user_id: string; email: string }> };
  return members.data.find((m) => m.email === email)!.user_id;
}
