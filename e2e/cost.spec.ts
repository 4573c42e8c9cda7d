import { expect, test, type Page } from "@playwright/test";
import { owner, signIn, startConsoleWorld, viewer, type ConsoleWorld } from "./fixtures/console-app";
import { expectAccessible, screenshot } from "./fixtures/page-checks";

/**
 * The Cost page (issue 16) on mail sent through the real pipeline to the ESP emulators: spend per provider with the
 * plan's included volume as a progress bar and an overage warning, the what-if table, the plan editor (admin) and
 * its read-only view, and cost-aware routing switched on in Settings → Routing and taking effect.
 */
test.describe.configure({ mode: "serial", timeout: 90_000 });

let world: ConsoleWorld;
let page: Page;
const dated = { effective_date: "2026-01-01", source_url: "https://example.com/pricing", verified_on: "2026-01-01", free_per_day: 0, free_per_month: 0, dedicated_ip_fee: null };

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  world = await startConsoleWorld();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signIn(page, world.app.url, owner);
  const put = async (path: string, data: Record<string, unknown>) => {
    const res = await page.request.put(`${world.app.url}${path}`, { headers: { origin: world.app.url }, data });
    expect(res.status(), await res.text()).toBe(200);
  };
  await put("/api/v1/providers/postmark", { api_token: world.secrets.postmarkServer, default_sender: "ops@example.com" });
  await put("/api/v1/providers/mailgun", { api_key: world.secrets.mailgunKey, domain: world.mailgun.domain });
  await put("/api/v1/failover", { order: ["postmark", "mailgun"] });
  // Small plans so a handful of emails passes them: Postmark $1 for 3 then $1.80/1k; Mailgun $1 for 5 then $1.30/1k.
  await put("/api/v1/pricing", {
    providers: {
      postmark: { selected_plan: "starter", plans: [{ id: "starter", name: "Starter 3", monthly_fee: 1, included: 3, overage_per_1000: 1.8, overflow_allowed: true, ...dated }] },
      mailgun: { selected_plan: "starter", plans: [{ id: "starter", name: "Starter 5", monthly_fee: 1, included: 5, overage_per_1000: 1.3, overflow_allowed: true, ...dated }] },
    },
  });
});

test.afterAll(async () => {
  await page?.context().close();
  await world?.stop();
});

const send = async (data: Record<string, unknown>) => {
  const res = await page.request.post(`${world.app.url}/api/v1/emails/send`, { headers: { origin: world.app.url }, data: { from: "Acme <ops@example.com>", subject: "Hi", text_body: "Hi.", ...data } });
  expect(res.status(), await res.text()).toBe(202);
};
const volumes = async () => {
  const report = (await (await page.request.get(`${world.app.url}/api/v1/costs`)).json()) as { providers: Array<{ provider: string; volume: number }> };
  return Object.fromEntries(report.providers.map((p) => [p.provider, p.volume]));
};
const addresses = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}@example.com`);

test("spend per provider with the included volume as a progress bar, the overage warning and the what-if table", async () => {
  await send({ to: addresses("receipt", 5), type: "transactional" });
  await expect.poll(async () => (await volumes()).postmark, { timeout: 30_000 }).toBe(5);
  await page.goto(`${world.app.url}/settings/cost`);
  const postmark = page.getByTestId("provider-cost-postmark");
  await expect(postmark.getByText("Overage", { exact: true })).toBeVisible();
  await expect(postmark.getByText("Plan: Starter 3")).toBeVisible();
  const bar = page.getByRole("progressbar", { name: "Postmark: included volume used" });
  await expect(bar).toHaveAttribute("aria-valuetext", "5 of 3 emails (167%)");
  await expect(bar).toHaveAttribute("aria-valuenow", "100");
  await expect(postmark).toContainText("past its included volume: 2 emails billed as overage");
  await expect(postmark).toContainText("$1.00 · $0.00 · $0.00"); // $0.0036 of overage rounds to cents here
  await expect(page.getByRole("progressbar", { name: "Mailgun: included volume used" })).toHaveAttribute("aria-valuetext", "0 of 5 emails (0%)");
  const whatIf = page.getByRole("table", { name: "What-if totals" });
  await expect(whatIf.getByRole("row", { name: /^Everything through Postmark/ })).toBeVisible();
  await expect(whatIf.getByRole("row", { name: /^Everything through Mailgun/ })).toBeVisible();
  await expect(page.getByRole("table", { name: "Cost by email type" }).getByRole("row", { name: /^Transactional 5/ })).toBeVisible();
  // The price book shows where each published figure comes from and when it was checked.
  const book = page.getByTestId("price-book-postmark");
  await expect(book.getByRole("row", { name: /^Basic 10k/ })).toContainText("postmarkapp.com");
  await expect(book.getByRole("row", { name: /^Basic 10k/ })).toContainText("2026-08-13");
  await expectAccessible(page);
  await screenshot(page, "cost");
});

test("an admin edits a published plan (field errors as they type) and resets it", async () => {
  await page.goto(`${world.app.url}/settings/cost`);
  const book = page.getByTestId("price-book-postmark");
  await book.getByRole("button", { name: "Edit Postmark Basic 10k" }).click();
  const overage = book.getByLabel("Overage per 1,000 (USD)");
  await overage.fill("1.75");
  const source = book.getByLabel("Source URL");
  await source.fill("not a url");
  await expect(source).toHaveAttribute("aria-invalid", "true");
  await source.fill("https://postmarkapp.com/pricing");
  await expect(source).not.toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  await book.getByRole("button", { name: "Save plan", exact: true }).click();
  await expect(page.getByTestId("toast").getByText("Postmark: Basic 10k saved")).toBeVisible();
  const row = book.getByRole("row", { name: /^Basic 10k/ });
  await expect(row).toContainText("Edited");
  await expect(row).toContainText("$1.75");
  await book.getByRole("button", { name: "Reset Postmark Basic 10k" }).click();
  await expect(row).not.toContainText("Edited");
  await expect(row).toContainText("$1.8");
});

test("cost-aware routing switched on for marketing in Settings → Routing moves it to the cheaper provider", async () => {
  await page.goto(`${world.app.url}/settings/routing?type=marketing`);
  await page.getByLabel("Marketing email", { exact: true }).selectOption("postmark");
  await page.getByRole("button", { name: "Save routing" }).click();
  await expect(page.getByTestId("toast").getByText("Routing saved")).toBeVisible();
  await page.getByLabel("Marketing cost rule").selectOption("cheapest");
  await page.getByRole("button", { name: "Save cost rules" }).click();
  await expect(page.getByTestId("toast").getByText("Cost rules saved")).toBeVisible();
  // Postmark's 3 included emails are used up: the preview says why Mailgun goes first.
  const preview = page.getByTestId("routing-preview");
  await expect(preview.getByRole("listitem").first()).toContainText("1. Mailgun");
  await expect(preview.getByTestId("routing-preview-cost")).toContainText("cheapest: the next email costs $0.00 on mailgun");
  await expectAccessible(page);
  await send({ to: addresses("news", 2), type: "marketing" });
  await expect.poll(async () => (await volumes()).mailgun, { timeout: 30_000 }).toBe(2);
  expect((await volumes()).postmark).toBe(5);
});

test("a provider past its monthly budget is named on the Dashboard", async () => {
  // Postmark's plan fee alone ($1) is past a $0.50 budget.
  const res = await page.request.put(`${world.app.url}/api/v1/routing`, { headers: { origin: world.app.url }, data: { cost_rules: { providers: { postmark: { monthly_budget: 0.5 } } } } });
  expect(res.status(), await res.text()).toBe(200);
  await page.goto(world.app.url);
  const notices = page.getByTestId("budget-notices");
  await expect(notices).toContainText("Postmark");
  await expect(notices).toContainText("budget");
  await expect(notices.getByRole("link", { name: "Cost" })).toHaveAttribute("href", "/settings/cost");
  await expectAccessible(page);
});

test("viewers see the figures and the price book read-only; a bad month in the URL is explained", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const viewerPage = await context.newPage();
  await signIn(viewerPage, world.app.url, viewer);
  await viewerPage.goto(`${world.app.url}/settings/cost`);
  await expect(viewerPage.getByRole("note")).toContainText("Read-only");
  await expect(viewerPage.getByTestId("provider-cost-postmark")).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: /^Edit / })).toHaveCount(0);
  await expect(viewerPage.getByLabel("Your plan").first()).toBeDisabled();
  await expectAccessible(viewerPage);
  await viewerPage.goto(`${world.app.url}/settings/cost?month=2026-13`);
  await expect(viewerPage.getByRole("alert").filter({ hasText: "the month must look like 2026-11" })).toBeVisible();
  await context.close();
});
