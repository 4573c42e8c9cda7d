import { expect, test, type Page } from "@playwright/test";
import { owner, signIn, startConsoleWorld, viewer, type ConsoleWorld } from "./fixtures/console-app";
import { expectAccessible, screenshot } from "./fixtures/page-checks";

/**
 * Roles in the console (issue "Operator console, part 1"): a viewer sees every settings page read-only with the
 * reason, and the server — not the UI — refuses their changes; the console session cannot be used cross-site.
 */
test.describe.configure({ mode: "serial" });

let world: ConsoleWorld;
let ownerPage: Page;
let viewerPage: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  world = await startConsoleWorld();
  ownerPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  viewerPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signIn(ownerPage, world.app.url, owner);
  const connected = await ownerPage.request.put(`${world.app.url}/api/v1/providers/postmark`, {
    headers: { origin: world.app.url },
    data: { api_token: world.secrets.postmarkServer, default_sender: "ops@example.com" },
  });
  expect(connected.status()).toBe(200);
  await signIn(viewerPage, world.app.url, viewer);
});

test.afterAll(async () => {
  await ownerPage?.context().close();
  await viewerPage?.context().close();
  await world?.stop();
});

test("a viewer sees Integrations, Routing, Failover and API keys read-only, with the reason", async () => {
  const page = viewerPage;
  const url = world.app.url;
  await expect(page.getByTestId("current-user")).toContainText("role: viewer");

  await page.goto(`${url}/settings/integrations`);
  await expect(page.getByRole("link", { name: "View Postmark" })).toBeVisible();
  await expect(page.getByRole("link", { name: /Configure|Connect/ })).toHaveCount(0);
  await expectAccessible(page);

  await page.getByRole("link", { name: "View Postmark" }).click();
  await expect(page.getByRole("note")).toContainText("Read-only: you are a viewer");
  await expect(page.getByLabel("Default sender")).toBeDisabled();
  await expect(page.getByLabel("Default sender")).toHaveValue("ops@example.com");
  await expect(page.getByRole("button", { name: /Save|Connect|Send test|Disable|Disconnect|Reveal/ })).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, "integration-postmark-viewer");

  await page.goto(`${url}/settings/routing`);
  await expect(page.getByRole("note")).toContainText("needs the admin role");
  await expect(page.getByLabel("Marketing email")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save routing" })).toHaveCount(0);
  // The preview is a read: a viewer may use it.
  await expect(page.getByTestId("routing-preview").locator("li").first()).toContainText("Postmark");
  await expectAccessible(page);

  await page.goto(`${url}/settings/failover`);
  await expect(page.getByRole("note")).toContainText("Read-only");
  await expect(page.getByRole("button", { name: /Move .* up/ })).toHaveCount(0);
  await expect(page.getByLabel("Retry attempts")).toBeDisabled();
  await expectAccessible(page);

  await page.goto(`${url}/settings/api-keys`);
  await expect(page.getByRole("note")).toContainText("Read-only");
  await expect(page.getByRole("button", { name: "Create key" })).toHaveCount(0);
  await expectAccessible(page);
});

test("the server is the authority: a viewer's session cannot change settings or reveal webhook credentials", async () => {
  const request = viewerPage.request;
  const url = world.app.url;
  const headers = { origin: url };
  expect((await request.put(`${url}/api/v1/routing`, { headers, data: { default_provider: "postmark" } })).status()).toBe(403);
  expect((await request.put(`${url}/api/v1/failover`, { headers, data: { retry_attempts: 1 } })).status()).toBe(403);
  expect((await request.patch(`${url}/api/v1/providers/postmark`, { headers, data: { enabled: false } })).status()).toBe(403);
  expect((await request.delete(`${url}/api/v1/providers/postmark`, { headers })).status()).toBe(403);
  expect((await request.get(`${url}/api/v1/providers/postmark/webhook-credentials`)).status()).toBe(403);
  // Reads are allowed, and nothing changed.
  const providers = (await (await request.get(`${url}/api/v1/providers`)).json()) as { data: Array<{ kind: string; enabled: boolean }> };
  expect(providers.data).toEqual([expect.objectContaining({ kind: "postmark", enabled: true })]);
});

test("the console session cannot be used from another site, and without a session the API asks for a key", async () => {
  const url = world.app.url;
  const crossSite = await ownerPage.request.put(`${url}/api/v1/routing`, { headers: { origin: "https://evil.example" }, data: { default_provider: null } });
  expect(crossSite.status()).toBe(403);
  const noOrigin = await ownerPage.request.put(`${url}/api/v1/routing`, { data: { default_provider: null } });
  expect(noOrigin.status()).toBe(403);
  const routing = (await (await ownerPage.request.get(`${url}/api/v1/routing`)).json()) as { default_provider: string | null };
  expect(routing.default_provider).toBeNull();
  const anonymous = await fetch(`${url}/api/v1/providers`);
  expect(anonymous.status).toBe(401);
});
