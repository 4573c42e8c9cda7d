import { expect, test, type Page } from "@playwright/test";
import { owner, signIn, startConsoleWorld, viewer, type ConsoleWorld } from "./fixtures/console-app";
import { expectAccessible, screenshot } from "./fixtures/page-checks";

/**
 * Settings → Webhooks (issue "Operator console, part 2", item 3): an operator setting up Postmark sees whether its
 * webhooks arrive. The Postmark emulator posts one authentic Delivery (after a test email) and we post one forged
 * request; the page shows the accepted request in the log and the refusal counted by reason — live, without reload —
 * with no webhook secret in anything the browser receives, and axe clean.
 */
test.describe.configure({ mode: "serial" });

let world: ConsoleWorld;
let page: Page;
const received: string[] = [];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  world = await startConsoleWorld();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("response", async (response) => {
    const type = response.headers()["content-type"] ?? "";
    if (/json|html|text|x-component/.test(type) && !response.url().includes("/webhook-credentials")) received.push(await response.text().catch(() => ""));
  });
  await signIn(page, world.app.url, owner);
});

test.afterAll(async () => {
  await page?.context().close();
  await world?.stop();
});

test("before any webhook: the empty state says how to set webhooks up", async () => {
  await page.goto(`${world.app.url}/settings/webhooks`);
  await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Webhooks" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("webhook-log")).toContainText("No webhook requests yet");
  await expect(page.getByTestId("webhook-log").getByRole("link", { name: "Settings → Integrations → Postmark" })).toHaveAttribute("href", "/settings/integrations/postmark");
  await expect(page.getByTestId("webhook-summary-postmark")).toContainText("Not connected");
  await expectAccessible(page);
});

test("one authentic and one forged webhook: an accepted row in the log and a counted rejection, live", async () => {
  test.setTimeout(90_000);
  const url = world.app.url;
  const connected = await page.request.put(`${url}/api/v1/providers/postmark`, {
    headers: { origin: url },
    data: { api_token: world.secrets.postmarkServer, account_token: world.secrets.postmarkAccount, default_sender: "ops@example.com" },
  });
  expect(connected.status()).toBe(200);
  const providers = (await (await page.request.get(`${url}/api/v1/providers`)).json()) as { data: Array<{ kind: string; webhook: { url: string } }> };
  const hookUrl = `${url}${new URL(providers.data.find((p) => p.kind === "postmark")!.webhook.url).pathname}`;
  const { credentials } = (await (await page.request.get(`${url}/api/v1/providers/postmark/webhook-credentials`)).json()) as { credentials: { username: string; password: string } };

  // The page is open while the webhooks arrive: it refreshes on its own.
  await page.goto(`${url}/settings/webhooks`);
  await expect(page.getByTestId("webhook-summary-postmark")).toContainText("Nothing has arrived yet");

  // Authentic: Postmark (the emulator) posts a Delivery for a test email, with our basic-auth credentials.
  world.postmark.setWebhook({ url: hookUrl, basicAuth: credentials });
  const sent = await page.request.post(`${url}/api/v1/providers/postmark/test`, { headers: { origin: url }, data: { to: "jane@example.com", from: "ops@example.com" } });
  expect((await sent.json()).status).toBe("accepted");
  await world.postmark.flushWebhooks();
  expect(world.postmark.webhookDeliveries.map((d) => d.status)).toEqual([200]);

  // Forged: the right URL, the wrong password.
  const forged = await fetch(hookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${credentials.username}:not-the-password`).toString("base64")}` },
    body: JSON.stringify({ RecordType: "Delivery", MessageID: "forged", Recipient: "jane@example.com", DeliveredAt: new Date().toISOString() }),
  });
  expect(forged.status).toBe(401);

  const log = page.getByTestId("webhook-log");
  // Body rows (the header row has a "Stored" column too).
  const rows = log.locator("tbody tr");
  const row = rows.filter({ has: page.getByRole("cell", { name: "Stored", exact: true }) });
  await expect(row).toHaveCount(1, { timeout: 20_000 });
  await expect(row).toContainText("Postmark");
  await expect(row).toContainText("delivered");
  await expect(rows).toHaveCount(1);
  const summary = page.getByTestId("webhook-summary-postmark");
  await expect(summary.getByTestId("webhook-last-authenticated")).not.toHaveText("None yet");
  await expect(summary).toContainText("1 stored");
  // Rejections are counted in memory and flushed every 5 s; the page polls every 5 s.
  await expect(summary.getByTestId("webhook-rejections")).toContainText("Wrong or missing credentials", { timeout: 20_000 });
  await expect(summary.getByTestId("webhook-rejections")).toContainText("1 request");
  await expectAccessible(page);
  await screenshot(page, "webhooks");

  // Filters live in the URL.
  await page.getByLabel("Outcome").selectOption("malformed");
  await expect(page).toHaveURL(/outcome=malformed/);
  await expect(log).toContainText("No requests match these filters.");
  await page.getByLabel("Outcome").selectOption("stored");
  await expect(page).toHaveURL(/outcome=stored/);
  await expect(row).toHaveCount(1);
  await page.reload();
  await expect(page.getByLabel("Outcome")).toHaveValue("stored");

  // The API behind it.
  const api = (await (await page.request.get(`${url}/api/v1/webhooks/rejections`)).json()) as { data: Array<{ reason: string; count: number }> };
  expect(api.data).toEqual([expect.objectContaining({ provider: "postmark", reason: "wrong_credentials", count: 1 })]);

  // Nothing the browser received carries the webhook password.
  for (const body of received) expect(body).not.toContain(credentials.password);
});

test("a viewer sees the same log", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const viewerPage = await context.newPage();
  await signIn(viewerPage, world.app.url, viewer);
  await viewerPage.goto(`${world.app.url}/settings/webhooks`);
  await expect(viewerPage.getByTestId("webhook-log").locator("tbody tr").filter({ hasText: "delivered" })).toHaveCount(1);
  await expect(viewerPage.getByTestId("webhook-summary-postmark")).toContainText("Wrong or missing credentials");
  await expectAccessible(viewerPage);
  await context.close();
});
