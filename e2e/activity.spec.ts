import { expect, test, type Page } from "@playwright/test";
import { MAILGUN_TEST_SIGNING_KEY } from "../test/emulators/mailgun-emulator";
import { owner, signIn, startConsoleWorld, type ConsoleWorld } from "./fixtures/console-app";
import { expectAccessible, screenshot } from "./fixtures/page-checks";

/**
 * Activity and Suppressions as an operator uses them (issue "Operator console, part 2"), on data sent through the real
 * pipeline and the ESP emulators, with events through the real webhook receivers: "what happened to the email to
 * jane@example.com", retrying a failed recipient, and managing the suppression list.
 */
test.describe.configure({ mode: "serial", timeout: 120_000 });

let world: ConsoleWorld;
let page: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  world = await startConsoleWorld();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })).newPage();
  await signIn(page, world.app.url, owner);
  const headers = { origin: world.app.url };
  const put = (kind: string, data: Record<string, unknown>) => page.request.put(`${world.app.url}/api/v1/providers/${kind}`, { headers, data });
  expect((await put("postmark", { api_token: world.secrets.postmarkServer, default_sender: "ops@example.com" })).status()).toBe(200);
  expect((await put("mailgun", { api_key: world.secrets.mailgunKey, domain: world.mailgun.domain, webhook_signing_key: MAILGUN_TEST_SIGNING_KEY })).status()).toBe(200);
  // Mailgun posts its events to our receiver, signed, as it would in production.
  const views = (await (await page.request.get(`${world.app.url}/api/v1/providers`)).json()) as { data: Array<{ kind: string; webhook: { url: string } | null }> };
  world.mailgun.setWebhook({ url: views.data.find((v) => v.kind === "mailgun")!.webhook!.url, signingKey: MAILGUN_TEST_SIGNING_KEY });
});

test.afterAll(async () => {
  await page?.context().close();
  await world?.stop();
});

const send = (data: Record<string, unknown>) =>
  page.request.post(`${world.app.url}/api/v1/emails/send`, { headers: { origin: world.app.url }, data: { from: "Acme <ops@example.com>", subject: "Your password reset", text_body: "Reset it.", ...data } });

test("find the email to jane@example.com and read its failover timeline: Postmark refused, Mailgun delivered", async () => {
  // Postmark refuses the server token once: bad credentials move the copy on to Mailgun at once.
  world.postmark.faults.inject({ kind: "status", status: 401, body: { ErrorCode: 10, Message: "The Server Token you provided in the X-Postmark-Server-Token request header was invalid." } }, { times: 1 });
  expect((await send({ to: "jane@example.com", type: "transactional", html_body: "<p>Reset <script>alert(1)</script> it</p>" })).status()).toBe(202);
  await send({ to: "someone@example.com", type: "marketing", subject: "Spring sale" });

  await page.goto(`${world.app.url}/activity`);
  await expect(page.getByRole("link", { name: "Spring sale" })).toBeVisible({ timeout: 20_000 });
  await page.getByLabel("Recipient or message id").fill("jane@example.com");
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page).toHaveURL(/search=jane%40example.com/);
  await expect(page.getByRole("link", { name: "Spring sale" })).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, "activity");
  await page.getByRole("link", { name: "Your password reset" }).click();

  const card = page.getByTestId("recipient-card");
  const timeline = card.getByTestId("timeline").locator("li");
  // The delivery webhook arrives through the real receiver; the page refreshes itself.
  await expect(card).toContainText("delivered", { timeout: 20_000 });
  await expect(timeline).toHaveCount(3, { timeout: 20_000 });
  await expect(timeline.nth(0)).toContainText("provider_config");
  await expect(timeline.nth(0)).toContainText("postmark");
  await expect(timeline.nth(0)).toContainText("failed over to mailgun");
  await expect(timeline.nth(1)).toContainText("accepted");
  await expect(timeline.nth(1)).toContainText("mailgun");
  await expect(timeline.nth(2)).toContainText("delivered");
  await timeline.nth(2).getByRole("button", { name: /raw mailgun payload/ }).click();
  await expect(timeline.nth(2).getByLabel("Raw mailgun payload")).toContainText('"event": "delivered"');
  await expectAccessible(page);
  await screenshot(page, "message");
  // The body is shown on request in a sandboxed frame: no scripts run (axe cannot enter such a frame, so it runs first).
  await page.getByRole("button", { name: "Show the HTML body" }).click();
  await expect(page.locator("iframe[sandbox='']")).toHaveCount(1);
});

test("retry a failed recipient: it goes through the pipeline again and the retry is in its history", async () => {
  const res = await send({ to: "invalid-address@example.net", type: "marketing", provider: "mailgun" });
  const { id } = (await res.json()) as { id: string };
  await page.goto(`${world.app.url}/activity/${id}`);
  const card = page.getByTestId("recipient-card");
  await expect(card.getByText("failed", { exact: true })).toBeVisible({ timeout: 20_000 });
  await card.getByRole("button", { name: "Retry now" }).click();
  await expect(page.getByTestId("toast").first()).toContainText("Retrying invalid-address@example.net");
  await expect(card.getByTestId("timeline")).toContainText("Retry requested");
  // Mailgun refuses the address again: a second attempt in the history, after the retry.
  await expect(card.getByTestId("timeline").locator("li[data-kind=attempt]")).toHaveCount(2, { timeout: 20_000 });
});

test("suppressions: add a pasted list with a preview, search, import a CSV with invalid rows, export, remove", async () => {
  await page.goto(`${world.app.url}/suppressions`);
  await expectAccessible(page);
  await page.getByRole("textbox", { name: "Addresses", exact: true }).fill("blocked-1@example.com\nblocked-2@example.com, not-an-address");
  await page.getByRole("textbox", { name: "Note", exact: true }).fill("Asked by phone");
  await page.getByRole("button", { name: "Preview" }).click();
  const preview = page.getByTestId("import-preview");
  await expect(preview).toContainText("2 to add");
  await expect(preview).toContainText("1 invalid");
  await expect(preview).toContainText("not-an-address — invalid email address");
  await page.getByRole("button", { name: "Suppress 2 addresses" }).click();
  await expect(page.getByTestId("toast").first()).toContainText("2 addresses suppressed");
  await expect(page.getByRole("row", { name: /blocked-1@example.com/ })).toContainText("Asked by phone");

  await page.getByLabel("Or import a CSV file").setInputFiles({
    name: "list.csv",
    mimeType: "text/csv",
    buffer: Buffer.from('email,reason,note\ncsv-1@example.com,complaint,"from the old ESP, 2024"\nbroken,,\nblocked-1@example.com,,\n'),
  });
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(preview).toContainText("1 to add · 1 already suppressed · 0 repeated · 1 invalid");
  await page.getByRole("button", { name: "Suppress 1 address" }).click();
  await expect(page.getByRole("row", { name: /csv-1@example.com/ })).toContainText("Complaint");

  await page.getByLabel("Address contains").fill("blocked");
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page).toHaveURL(/search=blocked/);
  await expect(page.getByRole("row", { name: /csv-1@example.com/ })).toHaveCount(0);
  await expect(page.getByRole("row", { name: /blocked-2@example.com/ })).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const csv = await (await (await download).createReadStream()).toArray();
  const text = Buffer.concat(csv as Buffer[]).toString("utf8");
  expect(text).toContain('csv-1@example.com,complaint,"from the old ESP, 2024"');
  expect(text).toContain("blocked-2@example.com,manual,Asked by phone");

  await page.getByRole("button", { name: "Remove blocked-2@example.com" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("Mail to this address is sent again");
  await page.getByRole("alertdialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("row", { name: /blocked-2@example.com/ })).toHaveCount(0);
  await page.goto(`${world.app.url}/suppressions`);
  await expect(page.getByRole("button", { name: /^Manual/ })).toContainText("1");
  await expectAccessible(page);
  await screenshot(page, "suppressions");
});
