import { expect, test, type Page } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { MAILGUN_TEST_SIGNING_KEY } from "../test/emulators/mailgun-emulator";
import { formatCount, formatRate, rateWithCount, type DeliverabilityReport } from "../lib/console/deliverability-view";
import { owner, signIn, startConsoleWorld, type ConsoleWorld } from "./fixtures/console-app";
import { expectAccessible, screenshot } from "./fixtures/page-checks";

/**
 * The Dashboard (issue 15) on mail sent through the real pipeline to the ESP emulators, whose delivery, bounce, open
 * and complaint webhooks reach the real receivers (Postmark with our basic-auth credentials, Mailgun signed): the
 * figures are the analytics API's, filters change them and the URL, a webhook shows without a reload, and the
 * recommendation waits for 100 sent per provider.
 */
test.describe.configure({ mode: "serial", timeout: 90_000 });

let world: ConsoleWorld;
let page: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  world = await startConsoleWorld();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })).newPage();
  await signIn(page, world.app.url, owner);
  const url = world.app.url;
  const headers = { origin: url };
  const put = (path: string, data: Record<string, unknown>) => page.request.put(`${url}${path}`, { headers, data });
  expect((await put("/api/v1/providers/postmark", { api_token: world.secrets.postmarkServer, default_sender: "ops@example.com" })).status()).toBe(200);
  expect((await put("/api/v1/providers/mailgun", { api_key: world.secrets.mailgunKey, domain: world.mailgun.domain, webhook_signing_key: MAILGUN_TEST_SIGNING_KEY })).status()).toBe(200);
  const views = (await (await page.request.get(`${url}/api/v1/providers`)).json()) as { data: Array<{ kind: string; webhook: { url: string } | null }> };
  const hook = (kind: string) => `${url}${new URL(views.data.find((v) => v.kind === kind)!.webhook!.url).pathname}`;
  const { credentials } = (await (await page.request.get(`${url}/api/v1/providers/postmark/webhook-credentials`)).json()) as { credentials: { username: string; password: string } };
  world.postmark.setWebhook({ url: hook("postmark"), basicAuth: credentials });
  world.mailgun.setWebhook({ url: hook("mailgun"), signingKey: MAILGUN_TEST_SIGNING_KEY });
  // Transactional mail goes to Mailgun: the recommendation will say Postmark does better.
  const routing = await put("/api/v1/routing", { default_provider: "postmark", rules: { all_emails: null, transactional: "mailgun", marketing: "mailgun", cold_outreach: null } });
  expect(routing.status(), await routing.text()).toBe(200);
});

test.afterAll(async () => {
  await page?.context().close();
  await world?.stop();
});

const send = async (data: Record<string, unknown>) => {
  const res = await page.request.post(`${world.app.url}/api/v1/emails/send`, {
    headers: { origin: world.app.url },
    data: { from: "Acme <ops@example.com>", subject: "Your receipt", text_body: "Thanks.", ...data },
  });
  expect(res.status(), await res.text()).toBe(202);
};

/** `count` addresses: every `bounceEvery`-th contains "bounce" (the emulators answer those with a hard bounce). */
const recipients = (prefix: string, count: number, bounceEvery = 0, domain = "example.com") =>
  Array.from({ length: count }, (_, i) => (bounceEvery && i % bounceEvery === 0 ? `${prefix}-bounce-${i}@${domain}` : `${prefix}-${i}@${domain}`));

const report = async (query = "") => (await (await page.request.get(`${world.app.url}/api/v1/analytics/deliverability?group_by=provider${query}`)).json()) as DeliverabilityReport;

/** Waits until every recipient sent so far is accepted and its delivery or bounce webhook counted. */
async function settled(expectedSent: number) {
  await expect
    .poll(
      async () => {
        await Promise.all([world.postmark.flushWebhooks(), world.mailgun.flushWebhooks()]);
        const { totals } = await report();
        return totals.sent === expectedSent && totals.delivered + totals.bounced === expectedSent;
      },
      { timeout: 45_000, intervals: [250, 500, 1000] },
    )
    .toBe(true);
}

const providerRow = (name: string) => page.getByTestId("provider-comparison").getByRole("row", { name: new RegExp(`^${name}`) });

test("a workspace that has sent nothing sees the getting-started steps instead of empty charts", async () => {
  await page.goto(world.app.url);
  await expect(page.getByRole("heading", { name: "Getting started" })).toBeVisible();
  await expect(page.getByText("No mail sent yet")).toBeVisible();
  await expect(page.getByTestId("provider-comparison")).toHaveCount(0);
  await expectAccessible(page);
});

test("the comparison table and the cards show the analytics API's figures", async () => {
  await send({ to: recipients("pm", 20, 10), type: "transactional", provider: "postmark", tags: ["receipt"] });
  await send({ to: recipients("mg", 10, 5, "gmail.com"), type: "marketing", provider: "mailgun", campaign_id: "spring-sale" });
  await settled(30);
  await page.goto(world.app.url);
  const api = await report();
  expect(api.rows.map((r) => r.provider).sort()).toEqual(["mailgun", "postmark"]);
  for (const row of api.rows) {
    const cells = providerRow(row.provider === "postmark" ? "Postmark" : "Mailgun").getByRole("cell");
    await expect(cells).toHaveText([
      row.provider === "postmark" ? "Postmark" : "Mailgun",
      formatCount(row.sent),
      rateWithCount(row.delivered_rate, row.delivered),
      rateWithCount(row.bounce_rate, row.bounced),
      rateWithCount(row.open_rate, row.opened),
      rateWithCount(row.click_rate, row.clicked),
      rateWithCount(row.complaint_rate, row.complained),
      rateWithCount(row.unsubscribe_rate, row.unsubscribed),
      "Not judged below 100 sent",
    ]);
  }
  await expect(page.getByTestId("kpi-sent").getByTestId("kpi-value")).toHaveText(formatCount(api.totals.sent));
  await expect(page.getByTestId("kpi-delivered_rate").getByTestId("kpi-value")).toHaveText(formatRate(api.totals.delivered_rate));
  await expect(page.getByTestId("kpi-bounce_rate").getByTestId("kpi-value")).toHaveText(formatRate(api.totals.bounce_rate));
  // Nothing before: the change is against an empty previous period.
  await expect(page.getByTestId("kpi-sent").getByTestId("kpi-change")).toHaveText("none in the previous 7 days");
  await expect(page.getByTestId("recipient-domains").getByRole("row", { name: /^Gmail/ })).toContainText("10");
  // Too little mail for a verdict: no thresholds, no recommendation, and the reason with the sample sizes.
  await expect(page.getByTestId("recommendation")).toContainText("No recommendation yet: comparing providers needs at least 100 sent");
  await expect(page.getByTestId("recommendation")).toContainText("Postmark 20 sent");
  await expect(page.getByTestId("trend-bounce")).toContainText("Thresholds are shown from 100 sent");
  await expectAccessible(page);
});

test("filters change the figures and the URL", async () => {
  await page.goto(world.app.url);
  await page.getByLabel("Provider", { exact: true }).selectOption("mailgun");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\?provider=mailgun$/);
  const mailgun = await report("&provider=mailgun");
  await expect(page.getByTestId("kpi-sent").getByTestId("kpi-value")).toHaveText(formatCount(mailgun.totals.sent));
  await expect(providerRow("Postmark")).toHaveCount(0);
  await expect(providerRow("Mailgun")).toBeVisible();

  await page.getByLabel("Provider", { exact: true }).selectOption("");
  await page.getByLabel("Tag", { exact: true }).fill("receipt");
  await page.getByLabel("Period", { exact: true }).selectOption("24h");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\?range=24h&tag=receipt$/);
  await expect(page.getByRole("heading", { name: "Trends (hourly, UTC)" })).toBeVisible();
  await expect(page.getByTestId("kpi-sent").getByTestId("kpi-value")).toHaveText("20");
  await expect(page.getByText("not available with a campaign or tag filter")).toBeVisible();

  // Reloading the URL keeps the view; a custom range shows its own period.
  await page.reload();
  await expect(page.getByLabel("Tag", { exact: true })).toHaveValue("receipt");
  await page.getByLabel("Period", { exact: true }).selectOption("custom");
  const from = new Date(Date.now() - 2 * 3_600_000).toISOString().slice(0, 13) + ":00";
  const to = new Date(Date.now() + 3_600_000).toISOString().slice(0, 13) + ":00";
  await page.getByLabel("From (UTC)").fill(from);
  await page.getByLabel("To (UTC)").fill(to);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/range=custom&from=.*&to=.*&tag=receipt/);
  await expect(page.getByTestId("dashboard-period")).toContainText(`${from.replace("T", " ")} UTC – ${to.replace("T", " ")} UTC`);
  await page.getByRole("button", { name: "Reset" }).click();
  await expect(page).toHaveURL(new RegExp(`${world.app.url}/?$`));

  // A hand-edited URL gets a reason, not a broken page.
  await page.goto(`${world.app.url}/?provider=sendmail`);
  await expect(page.getByRole("alert").filter({ hasText: "Unknown provider “sendmail”" })).toBeVisible();
});

test("a webhook posted while the page is open shows without a reload", async () => {
  await page.goto(world.app.url);
  const opened = providerRow("Postmark").getByRole("cell").nth(4);
  await expect(opened).toHaveText(/\(0\)$/);
  // Postmark (the emulator) posts its real Open payload to our receiver.
  const result = await world.postmark.emitEvent("pm-1@example.com", "opened");
  expect(result.status).toBe(200);
  await expect(opened).toHaveText(/\(1\)$/, { timeout: 15_000 });
  await expect(page.getByTestId("kpi-open_rate").getByTestId("kpi-value")).not.toHaveText("0.0%");
});

test("with 100 sent per provider the recommendation appears, with thresholds, alerts and a CSV of what is shown", async () => {
  test.setTimeout(90_000);
  // 100 more each, 100 recipients per request: Mailgun bounces 1 in 5, Postmark 1 in 50.
  await send({ to: recipients("pm-bulk", 100, 50), type: "transactional", provider: "postmark" });
  await send({ to: recipients("mg-bulk", 100, 5), type: "transactional", provider: "mailgun" });
  await settled(230);
  await page.goto(world.app.url);
  const rec = page.getByTestId("recommendation-item").filter({ hasText: "transactional mail" });
  await expect(rec).toContainText("Use Postmark for transactional mail", { timeout: 15_000 });
  await expect(rec).toContainText("Transactional mail goes to Mailgun today");
  await expect(rec).toContainText("Sample sizes: Postmark 120 sent (transactional) · Mailgun 100 sent (transactional)");
  // Health badges and reference lines from 100 sent; Mailgun's 20% bounce rate is an alert.
  await expect(providerRow("Mailgun")).toContainText("Bounces: At risk");
  await expect(providerRow("Postmark")).toContainText("Bounces: Healthy");
  await expect(page.getByTestId("trend-bounce")).toContainText("dashed lines at the warning (5.0%) and risk (10.0%) thresholds");
  await expect(page.getByTestId("alerts")).toContainText("Mailgun: bounce rate");

  await expectAccessible(page);
  await screenshot(page, "dashboard");

  // Series switch off and on from the keyboard.
  const toggle = page.getByTestId("trend-volume").getByRole("button", { name: "Opened" });
  await toggle.focus();
  await page.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await page.keyboard.press("Space");
  await expect(toggle).toHaveAttribute("aria-pressed", "true");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^deliverability-.*\.csv$/);
  const chunks = (await (await file.createReadStream()).toArray()) as Buffer[];
  const records = parse(Buffer.concat(chunks).toString("utf8"), { columns: true }) as Array<Record<string, string>>;
  const api = await report();
  const mailgunLine = records.find((r) => r.section === "provider" && r.group === "mailgun")!;
  const mailgunApi = api.rows.find((r) => r.provider === "mailgun")!;
  expect(mailgunLine).toMatchObject({ sent: String(mailgunApi.sent), bounced: String(mailgunApi.bounced), bounce_rate: String(mailgunApi.bounce_rate) });
  expect(records.find((r) => r.section === "total")).toMatchObject({ sent: String(api.totals.sent) });
  expect(records.some((r) => r.section === "day")).toBe(true);
  expect(records.some((r) => r.section === "recipient_domain" && r.group === "gmail")).toBe(true);

  // Postmark refuses its token once: the cold-outreach email (default route: Postmark) fails over to Mailgun, live.
  await expect(page.getByText("No mail failed over in this period")).toBeVisible();
  world.postmark.faults.inject({ kind: "status", status: 401, body: { ErrorCode: 10, Message: "The Server Token you provided in the X-Postmark-Server-Token request header was invalid." } }, { times: 1 });
  await send({ to: "prospect@example.org", type: "cold_outreach" });
  await expect(page.getByTestId("failover-paths").getByRole("listitem")).toHaveText(/^Postmark\s*failed over to\s*Mailgun\s*1 recipient$/, { timeout: 20_000 });
});
