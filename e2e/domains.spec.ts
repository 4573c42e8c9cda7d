import { expect, test, type Page } from "@playwright/test";
import { owner, signIn, startConsoleWorld, viewer, type ConsoleWorld } from "./fixtures/console-app";
import { expectAccessible, screenshot } from "./fixtures/page-checks";
import { startDnsServer, type DnsServer } from "../test/emulators/dns-server";

/**
 * Settings → Domains (issue "Domain authentication"): Postmark, Mailgun and SMTP connected to the emulators, every
 * DNS answer from a DNS server in this process (the app gets DNS_SERVERS through the environment it inherits) — the
 * matrix, expected versus found, the checklist, "Check now" turning a fixed record ok, and the read-only view.
 */
test.describe.configure({ mode: "serial" });

let world: ConsoleWorld;
let dns: DnsServer;
let page: Page;

test.beforeAll(async ({ browser }) => {
  // The app may rebuild first when the source changed since the last build.
  test.setTimeout(300_000);
  dns = await startDnsServer({
    "example.com": { TXT: ["v=spf1 ip4:127.0.0.1 include:spf.mtasv.net ~all"] },
    "spf.mtasv.net": { TXT: ["v=spf1 ip4:50.31.156.0/24 -all"] },
    "20260101000000pm._domainkey.example.com": { TXT: ["k=rsa;p=MIGfMA0G"] },
    "pm-bounces.example.com": { CNAME: "pm.mtasv.net" },
    "_dmarc.example.com": { TXT: ["v=DMARC1; p=none; rua=mailto:dmarc@example.com"] },
    "mg.example.com": { TXT: ["v=spf1 include:mailgun.org ~all"], MX: [{ exchange: "mxa.mailgun.org", priority: 10 }, { exchange: "mxb.mailgun.org", priority: 10 }] },
    "k1._domainkey.mg.example.com": { TXT: ["k=rsa; p=SOMEONE-ELSES-KEY"] },
  });
  // startApp passes this process's environment on: the app asks only this server, and quickly gives up on it.
  process.env.DNS_SERVERS = dns.servers;
  process.env.DNS_TIMEOUT_MS = "300";
  process.env.DOMAIN_CHECK_COOLDOWN_SECONDS = "20";
  world = await startConsoleWorld();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  // Warm the server up (first renders are slow on a busy machine), then sign in.
  for (const path of ["/login", "/", "/settings/domains"]) await fetch(`${world.app.url}${path}`).catch(() => {});
  await signIn(page, world.app.url, owner);
  const put = async (kind: string, data: Record<string, unknown>) => {
    const res = await page.request.put(`${world.app.url}/api/v1/providers/${kind}`, { headers: { origin: world.app.url }, data });
    expect(res.status(), await res.text()).toBe(200);
  };
  await put("postmark", { api_token: world.secrets.postmarkServer, account_token: world.secrets.postmarkAccount, default_sender: "ops@example.com" });
  await put("mailgun", { api_key: world.secrets.mailgunKey, domain: "mg.example.com" });
  await put("smtp", { host: "127.0.0.1", port: world.smtp.port, default_sender: "ops@example.com" });
});

test.afterAll(async () => {
  await page?.context().close();
  await world?.stop();
  await dns?.close();
  for (const name of ["DNS_SERVERS", "DNS_TIMEOUT_MS", "DOMAIN_CHECK_COOLDOWN_SECONDS"]) delete process.env[name];
});

test("the matrix and a domain's records: expected next to found, the checklist, axe clean", async () => {
  await page.goto(`${world.app.url}/settings/domains`);
  const matrix = page.getByRole("table", { name: "Sending domains by provider" });
  await expect(matrix.getByRole("row", { name: /example\.com/ }).first()).toBeVisible();
  const mgRow = matrix.getByRole("row").filter({ has: page.getByRole("link", { name: "mg.example.com", exact: true }) });
  await expect(mgRow).toContainText("Action needed");
  await expect(mgRow).toContainText("Not used");

  await page.getByRole("link", { name: "mg.example.com", exact: true }).click();
  await expect(page).toHaveURL(/\?domain=mg\.example\.com/);
  const detail = page.getByTestId("domain-detail");
  await expect(detail.getByRole("heading", { name: "mg.example.com" })).toBeVisible();
  const records = detail.getByRole("table", { name: "DNS records for mg.example.com" });
  const dkim = records.getByRole("row").filter({ hasText: "Mailgun · DKIM" });
  await expect(dkim).toContainText("Mismatch");
  await expect(dkim).toContainText("k=rsa; p=MIGfMA0G");
  await expect(dkim).toContainText("k=rsa; p=SOMEONE-ELSES-KEY");
  await expect(records.getByRole("row").filter({ hasText: "Tracking CNAME" })).toContainText("Missing");
  await expect(records.getByRole("button", { name: "Copy host of DKIM" })).toBeVisible();
  const checklist = detail.getByTestId("checklist");
  await expect(checklist.getByRole("listitem").filter({ hasText: "DKIM signs" })).toContainText("Fail");
  await expect(checklist.getByRole("listitem").filter({ hasText: "complaint rate" })).toContainText("Not enough mail from this domain in the last 7 days to judge");
  await expectAccessible(page);
  await screenshot(page, "domains");
});

test("a record fixed in DNS turns ok after Check now, announced; a second click waits for the cooldown", async () => {
  dns.set("k1._domainkey.mg.example.com", { TXT: ["k=rsa; p=MIGfMA0G"] });
  dns.set("email.mg.example.com", { CNAME: "mailgun.org" });
  await page.goto(`${world.app.url}/settings/domains?domain=mg.example.com`);
  const detail = page.getByTestId("domain-detail");
  await detail.getByRole("button", { name: "Check now" }).click();
  await expect(detail.getByTestId("check-announcement")).toContainText("Check finished. mg.example.com: verified");
  const records = detail.getByRole("table", { name: "DNS records for mg.example.com" });
  await expect(records.getByRole("row").filter({ hasText: "Mailgun · DKIM" })).toContainText("OK");
  await expect(detail.getByTestId("history")).toContainText("domain: action_needed → verified");
  await detail.getByRole("button", { name: "Check now" }).click();
  await expect(detail.getByTestId("check-announcement")).toContainText("checked moments ago");
  await expectAccessible(page);
});

test("SMTP: generate a DKIM key; the record to publish appears, the private key never does", async () => {
  await page.goto(`${world.app.url}/settings/domains?domain=example.com`);
  const detail = page.getByTestId("domain-detail");
  await detail.getByLabel("Selector").fill("relay1");
  await detail.getByRole("button", { name: "Generate DKIM key" }).click();
  const row = detail.getByRole("table", { name: "DNS records for example.com" }).getByRole("row").filter({ hasText: "DKIM (generated key)" });
  await expect(row).toContainText("relay1._domainkey.example.com");
  await expect(row).toContainText("v=DKIM1; k=rsa; p=MII");
  await expect(row).toContainText("Missing");
  expect(await page.content()).not.toContain("PRIVATE KEY");
  await expectAccessible(page);
  await screenshot(page, "domains-smtp");
});

test("a viewer reads the same page without Check now or the add form", async ({ browser }) => {
  const viewerPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  try {
    await signIn(viewerPage, world.app.url, viewer);
    await viewerPage.goto(`${world.app.url}/settings/domains`);
    await expect(viewerPage.getByRole("note")).toContainText("Read-only");
    await expect(viewerPage.getByTestId("domain-detail")).toBeVisible();
    await expect(viewerPage.getByRole("button", { name: "Check now" })).toHaveCount(0);
    await expect(viewerPage.getByRole("heading", { name: "Add a domain" })).toHaveCount(0);
    await expectAccessible(viewerPage);
  } finally {
    await viewerPage.context().close();
  }
});
