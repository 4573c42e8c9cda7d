import { expect, test, type Page } from "@playwright/test";
import { owner, signIn, startConsoleWorld, type ConsoleWorld } from "./fixtures/console-app";
import { expectAccessible, screenshot } from "./fixtures/page-checks";

/**
 * Settings → Integrations, Routing and Failover as an operator uses them (issue "Operator console, part 1"), against
 * the ESP emulators: connect every provider from the browser, send a test email, route and order failover in
 * the UI and read the result back through the API, watch Postmark's breaker open when it goes away — with no secret
 * in anything the browser receives and axe clean on every page.
 */
test.describe.configure({ mode: "serial" });

let world: ConsoleWorld;
let page: Page;
/** Every text body the browser received (documents, RSC payloads, API JSON), to search for secrets. */
const received: string[] = [];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  world = await startConsoleWorld();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("response", async (response) => {
    const type = response.headers()["content-type"] ?? "";
    if (/json|html|text|x-component/.test(type)) received.push(await response.text().catch(() => ""));
  });
  await signIn(page, world.app.url, owner);
});

test.afterAll(async () => {
  await page?.context().close();
  await world?.stop();
});

const api = (path: string) => page.request.get(`${world.app.url}${path}`);

test("connect Postmark: a wrong token shows Postmark's refusal and stores nothing; the right one connects, verified", async () => {
  await page.goto(`${world.app.url}/settings/integrations`);
  await expect(page.getByTestId("provider-card-postmark")).toContainText("Not connected");
  await expectAccessible(page);
  await screenshot(page, "integrations-empty");

  await page.getByRole("link", { name: "Connect Postmark" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Postmark" })).toBeVisible();
  await page.getByLabel("Server API token").fill("not-a-real-token");
  await page.getByLabel("Default sender").fill("ops@example.com");
  await page.getByRole("button", { name: "Connect Postmark" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "refused" })).toContainText("postmark refused the credentials");
  expect((await (await api("/api/v1/providers")).json()).data).toEqual([]);
  await expectAccessible(page);

  // Instant field errors from the module's own schema, before anything is sent.
  await page.getByLabel("Transactional message stream").fill("");
  await page.getByLabel("Server API token").fill(world.secrets.postmarkServer);
  await page.getByLabel("Account API token").fill(world.secrets.postmarkAccount);
  await page.getByLabel("Default sender").fill("x");
  await page.getByRole("button", { name: "Connect Postmark" }).click();
  await expect(page.getByLabel("Default sender")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Default sender").fill("ops@example.com");
  await page.getByLabel("Transactional message stream").fill("outbound");
  await page.getByRole("button", { name: "Connect Postmark" }).click();

  const status = page.getByTestId("provider-status");
  await expect(status).toContainText("Connected");
  await expect(status).toContainText("Verified");
  await expect(status).toContainText("Healthy");
  await expect(page.getByTestId("toast").first()).toContainText("Postmark saved");
  // The stored secret is a masked hint, never the value.
  await expect(page.getByText(`Stored: ••••${world.secrets.postmarkServer.slice(-4)}`)).toBeVisible();
  const stored = (await (await api("/api/v1/providers/postmark")).json()) as { enabled: boolean; verification: { status: string } };
  expect(stored).toMatchObject({ enabled: true, verification: { status: "verified" } });

  // The webhook panel: the URL, our basic-auth user, the password revealed on request, the events to enable.
  const panel = page.getByTestId("webhook-panel");
  await expect(page.getByTestId("webhook-url")).toContainText("/webhooks/postmark/");
  await expect(panel).toContainText("Delivery");
  await expect(page.getByTestId("webhook-password")).toHaveText("••••••••");
  await panel.getByRole("button", { name: "Reveal" }).click();
  await expect(page.getByTestId("webhook-password")).not.toHaveText("••••••••");
  await expectAccessible(page);
  await screenshot(page, "integration-postmark");
});

test("connect Mailgun and an SMTP relay without authentication; a test email goes through that provider only", async () => {
  await page.goto(`${world.app.url}/settings/integrations/mailgun`);
  await page.getByLabel("Private API key").fill(world.secrets.mailgunKey);
  await page.getByLabel("Sending domain").fill(world.mailgun.domain);
  await page.getByLabel("Region").selectOption("us");
  await page.getByRole("switch", { name: "Track opens" }).click();
  await page.getByRole("button", { name: "Connect Mailgun" }).click();
  await expect(page.getByTestId("provider-status")).toContainText("Connected");
  await expect(page.getByTestId("webhook-panel")).toContainText("Missing: webhooks are refused");
  const mailgun = (await (await api("/api/v1/providers/mailgun")).json()) as { settings: Record<string, unknown> };
  expect(mailgun.settings).toMatchObject({ domain: world.mailgun.domain, region: "us", track_opens: true });

  await page.goto(`${world.app.url}/settings/integrations/smtp`);
  await page.getByRole("switch", { name: /No authentication/ }).click();
  await expect(page.getByLabel("User name")).toHaveCount(0);
  await page.getByLabel("Host").fill(world.smtp.host);
  await page.getByLabel("Port", { exact: true }).fill(String(world.smtp.port));
  await page.getByLabel("Default sender").fill("relay@example.com");
  await page.getByRole("button", { name: "Connect SMTP relay" }).click();
  await expect(page.getByTestId("provider-status")).toContainText("Connected");

  await page.getByLabel("Send to").fill("someone@example.net");
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Accepted by SMTP relay");
  await expect.poll(() => world.smtp.messages.some((m) => m.envelope.to.includes("someone@example.net"))).toBe(true);
  await expectAccessible(page);
  await screenshot(page, "integration-smtp");

  // A refusal is that provider's own: Mailgun's emulator answers 400 for this address, and nothing fails over.
  await page.goto(`${world.app.url}/settings/integrations/mailgun`);
  await page.getByLabel("Send to").fill("invalid-address@example.net");
  await page.getByLabel("From", { exact: true }).fill(`ops@${world.mailgun.domain}`);
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Refused");
  expect(world.smtp.messages.some((m) => m.envelope.to.includes("invalid-address@example.net"))).toBe(false);
});

test("connect SendGrid from the form its module describes: refusals shown, then verified, the signed webhook set-up, a test email", async () => {
  await page.goto(`${world.app.url}/settings/integrations`);
  await expect(page.getByTestId("provider-card-sendgrid")).toContainText("Not connected");
  await page.getByRole("link", { name: "Connect SendGrid" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "SendGrid" })).toBeVisible();
  // The module's own schema: a SendGrid key starts with "SG.".
  await page.getByLabel("API key").fill("not-a-sendgrid-key");
  await page.getByLabel("Default sender").fill("ops@example.com");
  await page.getByRole("button", { name: "Connect SendGrid" }).click();
  await expect(page.getByLabel("API key")).toHaveAttribute("aria-invalid", "true");
  // SendGrid (the emulator) refuses a revoked key: nothing is stored.
  await page.getByLabel("API key").fill("SG.revoked-key");
  await page.getByRole("button", { name: "Connect SendGrid" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "refused" })).toContainText("sendgrid refused the credentials");
  expect(((await (await api("/api/v1/providers")).json()).data as Array<{ kind: string }>).some((p) => p.kind === "sendgrid")).toBe(false);

  await page.getByLabel("API key").fill(world.secrets.sendgridKey);
  await page.getByLabel("Event Webhook verification key").fill(world.sendgrid.verificationKey);
  await page.getByRole("switch", { name: "Track opens" }).click();
  await page.getByRole("button", { name: "Connect SendGrid" }).click();
  const status = page.getByTestId("provider-status");
  await expect(status).toContainText("Connected");
  await expect(status).toContainText("Verified");
  const stored = (await (await api("/api/v1/providers/sendgrid")).json()) as { settings: Record<string, unknown>; verification: { status: string } };
  expect(stored).toMatchObject({ settings: { default_sender: "ops@example.com", track_opens: true }, verification: { status: "verified" } });

  // The webhook panel: the URL, the events to select, "signed" on, and that the verification key is stored.
  const panel = page.getByTestId("webhook-panel");
  await expect(page.getByTestId("webhook-url")).toContainText("/webhooks/sendgrid/");
  await expect(panel).toContainText("Signed Event Webhook");
  await expect(panel).toContainText("Group Unsubscribes");
  await expect(panel).toContainText("Stored");

  await page.getByLabel("Send to").fill("someone-sg@example.net");
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Accepted by SendGrid");
  await expect.poll(() => world.sendgrid.deliveries.some((d) => d.recipient === "someone-sg@example.net")).toBe(true);
  await expectAccessible(page);
  await screenshot(page, "integration-sendgrid");
});

test("connect Amazon SES from its module's form: a wrong secret refused by SigV4, then verified with the SNS set-up, a test email", async () => {
  await page.goto(`${world.app.url}/settings/integrations`);
  await expect(page.getByTestId("provider-card-ses")).toContainText("Not connected");
  await page.getByRole("link", { name: "Connect Amazon SES" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Amazon SES" })).toBeVisible();
  await page.getByLabel("Region").fill(world.ses.region);
  await page.getByLabel("Access key ID").fill(world.ses.accessKeyId);
  await page.getByLabel("Secret access key").fill("wrong-secret-access-key-000000");
  await page.getByLabel("Configuration set").fill(world.ses.configurationSet);
  await page.getByLabel("Default sender").fill("ops@example.com");
  await page.getByRole("button", { name: "Connect Amazon SES" }).click();
  // The emulator checks SigV4 as AWS does: a wrong secret is SignatureDoesNotMatch, and nothing is stored.
  await expect(page.getByRole("alert").filter({ hasText: "refused" })).toContainText("SignatureDoesNotMatch");
  expect(((await (await api("/api/v1/providers")).json()).data as Array<{ kind: string }>).some((p) => p.kind === "ses")).toBe(false);

  await page.getByLabel("Secret access key").fill(world.secrets.sesSecret);
  await page.getByRole("button", { name: "Connect Amazon SES" }).click();
  const status = page.getByTestId("provider-status");
  await expect(status).toContainText("Connected");
  await expect(status).toContainText("Verified");
  const stored = (await (await api("/api/v1/providers/ses")).json()) as { settings: Record<string, unknown>; verification: { status: string } };
  expect(stored).toMatchObject({ settings: { region: world.ses.region, configuration_set: world.ses.configurationSet, default_sender: "ops@example.com" }, verification: { status: "verified" } });

  await expect(page.getByTestId("webhook-url")).toContainText("/webhooks/ses/");
  await expect(page.getByTestId("webhook-panel")).toContainText("SNS");

  await page.getByLabel("Send to").fill("someone-ses@example.net");
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Accepted by Amazon SES");
  await expect.poll(() => world.ses.deliveries.some((d) => d.to === "someone-ses@example.net")).toBe(true);
  await expectAccessible(page);
});

test("routing: a provider per type in the UI, read back through the API, and the preview shows the chain", async () => {
  await page.goto(`${world.app.url}/settings/routing`);
  await page.getByLabel("Transactional email").selectOption("postmark");
  await page.getByLabel("Marketing email").selectOption("mailgun");
  await page.getByLabel("Cold outreach email").selectOption("smtp");
  await page.getByLabel("Default provider").selectOption("postmark");
  await page.getByRole("button", { name: "Save routing" }).click();
  await expect(page.getByTestId("toast").first()).toContainText("Routing saved");
  expect(await (await api("/api/v1/routing")).json()).toEqual({
    default_provider: "postmark",
    rules: { transactional: "postmark", marketing: "mailgun", cold_outreach: "smtp", all_emails: null },
    cost_rules: expect.any(Object), // e2e/cost.spec.ts covers them
  });

  await page.getByLabel("Email type").selectOption("marketing");
  await expect(page).toHaveURL(/type=marketing/);
  const preview = page.getByTestId("routing-preview");
  await expect(preview.locator("li").first()).toContainText("1. Mailgun");
  await expect(preview.locator("li").first()).toContainText("marketing");
  // The state is in the URL: a reload shows the same preview.
  await page.reload();
  await expect(page.getByLabel("Email type")).toHaveValue("marketing");
  await expect(page.getByTestId("routing-preview").locator("li").first()).toContainText("1. Mailgun");
  await expectAccessible(page);
  await screenshot(page, "routing");
});

test("failover: reorder with the keyboard, set retries, read the summary, read back through the API", async () => {
  await page.goto(`${world.app.url}/settings/failover`);
  const order = page.getByTestId("failover-order");
  await expect(order.locator("li").first()).toContainText("1. Postmark");
  await page.getByRole("button", { name: "Move SMTP relay up" }).focus();
  await page.keyboard.press("Enter");
  await expect(order.locator("li").nth(1)).toContainText("2. SMTP relay");
  await page.getByLabel("Retry attempts").fill("4");
  await page.getByLabel("Retry delay (seconds)").fill("0");
  await expect(page.getByTestId("failover-summary")).toContainText("Retry Postmark 4 times, at once, then SMTP relay, then Mailgun, then SendGrid, then Amazon SES, then keep retrying for 72 h");
  await page.getByRole("button", { name: "Save failover" }).click();
  await expect(page.getByTestId("toast").first()).toContainText("Failover saved");
  expect(await (await api("/api/v1/failover")).json()).toEqual({ enabled: true, order: ["postmark", "smtp", "mailgun", "sendgrid", "ses"], retry_attempts: 4, retry_delay_seconds: 0, max_age_hours: 72 });
  await expectAccessible(page);
  await screenshot(page, "failover");
});

test("Postmark goes away: sending opens its breaker and the card shows it with the last error, without a reload", async () => {
  await page.goto(`${world.app.url}/settings/integrations`);
  const card = page.getByTestId("provider-card-postmark");
  await expect(card.getByTestId("provider-health")).toContainText("Healthy");
  await world.postmark.close();
  const sent = await page.request.post(`${world.app.url}/api/v1/emails/send`, {
    headers: { origin: world.app.url },
    data: { from: "ops@example.com", to: "customer@example.org", subject: "Your password reset", text_body: "Reset it here.", type: "transactional" },
  });
  expect(sent.status()).toBe(202);
  await expect(card.getByTestId("provider-health")).toContainText("Breaker open until", { timeout: 30_000 });
  await expect(card.getByTestId("provider-last-error")).not.toHaveText("None");
  // Nothing lost: the email left Postmark for the next provider in the chain.
  await expect.poll(() => world.smtp.messages.some((m) => m.envelope.to.includes("customer@example.org")), { timeout: 30_000 }).toBe(true);
  await expectAccessible(page);
  await screenshot(page, "integrations");
});

test("every console page is axe clean, and nothing the browser received carries a provider secret", async () => {
  const pages = [
    ["/", "dashboard"],
    ["/activity", "activity"],
    ["/suppressions", "suppressions"],
    ["/settings/domains", "domains"],
    ["/settings/api-keys", "api-keys"],
    ["/settings/members", "members"],
    ["/settings/cost", "cost"],
  ] as const;
  for (const [path, name] of pages) {
    await page.goto(`${world.app.url}${path}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectAccessible(page);
    // Pages with their own spec (dashboard, activity, suppressions, domains, members, cost) take their screenshots there, on data.
    if (["api-keys"].includes(name)) await screenshot(page, name);
    received.push(await page.content());
  }
  const everything = received.join("\n");
  expect(received.length).toBeGreaterThan(20);
  for (const [name, value] of Object.entries(world.secrets)) expect(everything.includes(value), `${name} reached the browser`).toBe(false);
});
