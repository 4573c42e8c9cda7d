/**
 * Domain authentication end to end: Postmark, Mailgun and SMTP connected to the emulators, every DNS answer from a
 * real DNS server in this process (dns2 on 127.0.0.1, through DNS_SERVERS) — correct, missing, wrong, split-TXT,
 * slow and SERVFAIL answers over the wire. No test here reaches a public resolver.
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { domainDkimKeys, sendingDomains } from "@/db/schema";
import { GET as listDomainsRoute, POST as addDomainRoute } from "@/app/api/v1/domains/route";
import { POST as checkRoute } from "@/app/api/v1/domains/[domain]/check/route";
import { decryptJson } from "@/lib/crypto/secrets";
import { encryptionKey } from "@/lib/crypto/instance-keys";
import { dkimKeyContext } from "@/lib/domains/dkim-keys";
import { startDomainScheduler } from "@/lib/domains/domain-scheduler";
import type { DomainView, RecordCheck } from "@/lib/domains/domain-types";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { setEnv } from "../support/env";
import { startEmulators, type Emulators } from "../support/pipeline";
import { connectProvider } from "../support/providers";
import { POSTMARK_TEST_ACCOUNT_TOKEN, POSTMARK_TEST_SERVER_TOKEN } from "../emulators/postmark-emulator";
import { MAILGUN_TEST_API_KEY, MAILGUN_TEST_DOMAIN, MAILGUN_TEST_SIGNING_KEY } from "../emulators/mailgun-emulator";
import { startDnsServer, type DnsServer } from "../emulators/dns-server";

const noParams = { params: Promise.resolve({}) };
const domainParams = (domain: string) => ({ params: Promise.resolve({ domain }) });

const smtpKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const SMTP_DKIM_PEM = smtpKeys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const SMTP_PUBLIC = smtpKeys.publicKey.export({ type: "spki", format: "der" }).toString("base64");
/** Another key: what a wrong DKIM record publishes. */
const WRONG_PUBLIC = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" }).toString("base64");

/** The zone of a correctly set-up example.com, and mg.example.com with a wrong DKIM key and no tracking CNAME. */
function zone() {
  return {
    "example.com": { TXT: ["google-site-verification=abc", "v=spf1 ip4:127.0.0.1 include:spf.mtasv.net ~all"] },
    "spf.mtasv.net": { TXT: ["v=spf1 ip4:50.31.156.0/24 -all"] },
    "20260101000000pm._domainkey.example.com": { TXT: ["k=rsa;p=MIGfMA0G"] },
    "pm-bounces.example.com": { CNAME: "pm.mtasv.net" },
    // A 2048-bit key is ~400 bytes: published as two character-strings (255 + rest), joined when read.
    "sel1._domainkey.example.com": { TXT: [`v=DKIM1; k=rsa; p=${SMTP_PUBLIC}`] },
    "_dmarc.example.com": { TXT: ["v=DMARC1; p=quarantine; sp=reject; rua=mailto:dmarc@example.com"] },
    "mg.example.com": { TXT: ["v=spf1 include:mailgun.org ~all"], MX: [{ exchange: "mxa.mailgun.org", priority: 10 }], delayMs: 0 },
    "mailgun.org": { TXT: ["v=spf1 ip4:198.51.100.0/24 -all"] },
    "k1._domainkey.mg.example.com": { TXT: [`k=rsa; p=${WRONG_PUBLIC}`] },
  };
}

const records = (view: DomainView, provider: string) => view.result!.providers.find((p) => p.provider === provider)!.records;
const record = (view: DomainView, provider: string, label: string): RecordCheck => records(view, provider).find((r) => r.label === label)!;
const item = (view: DomainView, id: string) => view.result!.checklist.find((c) => c.id === id)!;

describe.each(testDatabaseKinds())("domain authentication on %s", (kind) => {
  let t: TestDatabase;
  let esp: Emulators;
  let dns: DnsServer;
  let w: Awaited<ReturnType<typeof workspaceFixture>>;

  const list = async (key = w.key) => (await (await listDomainsRoute(bearer(key), noParams)).json()).data as DomainView[];
  const domain = async (name: string) => (await list()).find((d) => d.domain === name)!;
  const check = (name: string, key = w.key) => checkRoute(bearer(key, { method: "POST" }), domainParams(name));
  const add = (body: unknown, key = w.key) => addDomainRoute(bearer(key, { method: "POST", body: JSON.stringify(body) }), noParams);

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
    dns = await startDnsServer(zone());
    setEnv({ DNS_SERVERS: dns.servers, DNS_TIMEOUT_MS: "150", DOMAIN_CHECK_COOLDOWN_SECONDS: "30" });
    // Mailgun still calls DKIM "unknown" and would find it on a verify request.
    esp.mailgun.setDomain({ name: MAILGUN_TEST_DOMAIN, state: "unverified", records: { dkim: "unknown", tracking: "invalid" }, verifyOnRequest: true });
    w = await workspaceFixture(t.database);
    await connectProvider(w.ctx, "postmark", { api_token: POSTMARK_TEST_SERVER_TOKEN, account_token: POSTMARK_TEST_ACCOUNT_TOKEN, default_sender: "ops@example.com" });
    await connectProvider(w.ctx, "mailgun", { api_key: MAILGUN_TEST_API_KEY, domain: MAILGUN_TEST_DOMAIN, webhook_signing_key: MAILGUN_TEST_SIGNING_KEY });
    await connectProvider(w.ctx, "smtp", { host: "127.0.0.1", port: esp.smtp.port, default_sender: "ops@example.com", dkim: { domain: "example.com", selector: "sel1", private_key: SMTP_DKIM_PEM } });
  });
  afterAll(async () => {
    setEnv({ DNS_SERVERS: undefined, DNS_TIMEOUT_MS: undefined, DOMAIN_CHECK_COOLDOWN_SECONDS: undefined });
    await dns?.close();
    await esp?.close();
    await t?.drop();
  });

  it("discovers every provider's domains and reports each record's true state from DNS", async () => {
    const domains = await list();
    expect(domains.map((d) => d.domain)).toEqual(["example.com", "mg.example.com"]);

    const main = domains[0]!;
    expect(main.providers.sort()).toEqual(["postmark", "smtp"]);
    expect(record(main, "postmark", "DKIM")).toMatchObject({ status: "ok", source: "esp", esp_status: "verified", name: "20260101000000pm._domainkey.example.com" });
    expect(record(main, "postmark", "Return-Path")).toMatchObject({ status: "ok", type: "CNAME", expected: "pm.mtasv.net", found: ["pm.mtasv.net"] });
    // Split TXT: the key arrives as two strings and is compared joined.
    const smtpDkim = record(main, "smtp", "DKIM (key from the SMTP settings)");
    expect(smtpDkim).toMatchObject({ status: "ok", source: "ours", name: "sel1._domainkey.example.com" });
    expect(smtpDkim.found[0]).toContain(SMTP_PUBLIC);
    expect(record(main, "smtp", "SPF (derived from the relay host)")).toMatchObject({ status: "ok", expected: "ip4:127.0.0.1" });
    expect(main.result!.spf).toMatchObject({ status: "ok", lookups: 1, records: ["v=spf1 ip4:127.0.0.1 include:spf.mtasv.net ~all"] });
    expect(main.result!.dmarc).toMatchObject({ status: "ok", policy: "quarantine", name: "_dmarc.example.com" });
    expect(main.result!.checklist.map((c) => [c.id, c.status])).toEqual([
      ["spf", "pass"],
      ["dkim", "pass"],
      ["dmarc", "pass"],
      ["one_click_unsubscribe", "pass"],
      ["complaint_rate", "unknown"],
    ]);
    expect(main.status).toBe("verified");

    const mg = domains[1]!;
    expect(mg.providers).toEqual(["mailgun"]);
    expect(record(mg, "mailgun", "SPF")).toMatchObject({ status: "ok", expected: "include:mailgun.org" });
    // Expected and found side by side.
    const dkim = record(mg, "mailgun", "DKIM");
    expect(dkim).toMatchObject({ status: "mismatch", expected: "k=rsa; p=MIGfMA0G" });
    expect(dkim.found).toEqual([`k=rsa; p=${WRONG_PUBLIC}`]);
    expect(record(mg, "mailgun", "Tracking CNAME")).toMatchObject({ status: "missing", expected: "mailgun.org", found: [] });
    expect(record(mg, "mailgun", "MX (receiving, optional)")).toMatchObject({ status: "ok", optional: true });
    // No _dmarc.mg.example.com: the organizational domain's record applies, with its subdomain policy.
    expect(mg.result!.organizational_domain).toBe("example.com");
    expect(mg.result!.dmarc).toMatchObject({ status: "ok", name: "_dmarc.example.com", policy: "reject" });
    expect(item(mg, "dkim")).toMatchObject({ status: "fail", fix: expect.stringContaining("k1._domainkey.mg.example.com") });
    expect(mg.status).toBe("action_needed");
    expect(mg.checked_at).not.toBeNull();
    expect(new Date(mg.next_check_at).getTime() - new Date(mg.checked_at!).getTime()).toBeLessThanOrEqual(15 * 60_000 * 1.1);
  });

  it("a record fixed in DNS turns ok on the next check, the change is recorded, and the ESP is asked to verify", async () => {
    dns.set("k1._domainkey.mg.example.com", { TXT: ["k=rsa; p=MIGfMA0G"] });
    dns.set("email.mg.example.com", { CNAME: "mailgun.org" });
    const res = await check("mg.example.com");
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as DomainView;
    expect(record(fresh, "mailgun", "DKIM").status).toBe("ok");
    expect(record(fresh, "mailgun", "Tracking CNAME").status).toBe("ok");
    expect(fresh.status).toBe("verified");
    // Our DNS saw the records Mailgun still called pending: Mailgun was asked to verify, and now agrees.
    expect(esp.mailgun.domainVerifications).toContain(MAILGUN_TEST_DOMAIN);
    expect(record(fresh, "mailgun", "DKIM").esp_status).toBe("verified");
    expect(fresh.history.map((h) => [h.subject, h.from, h.to])).toEqual(
      expect.arrayContaining([
        ["domain", "action_needed", "verified"],
        ["mailgun DKIM k1._domainkey.mg.example.com", "mismatch", "ok"],
        ["mailgun Tracking CNAME email.mg.example.com", "missing", "ok"],
      ]),
    );
    expect(fresh.status_changed_at).not.toBeNull();
    // Verified: the next check is a day away (±10%).
    const gap = new Date(fresh.next_check_at).getTime() - new Date(fresh.checked_at!).getTime();
    expect(gap).toBeGreaterThanOrEqual(24 * 3_600_000 * 0.9);
  });

  it("asking again within the cooldown answers 429 with Retry-After; another workspace's domain is 404", async () => {
    const again = await check("mg.example.com");
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await again.json()).error.code).toBe("rate_limited");
    const other = await workspaceFixture(t.database);
    expect((await check("mg.example.com", other.key)).status).toBe(404);
    expect((await check("%00bad", other.key)).status).toBeLessThan(500);
    expect(await list(other.key)).toEqual([]);
  });

  it("a timeout or SERVFAIL is unknown, never a failure", async () => {
    dns.set("slow.example.com", { TXT: ["v=spf1 -all"], delayMs: 2_000 });
    dns.set("_dmarc.slow.example.com", { servfail: true });
    const res = await add({ domain: "Slow.Example.com.", providers: ["smtp"], smtp: { spf_mechanism: "include:relay.example.net" } });
    expect(res.status).toBe(201);
    const view = (await res.json()) as DomainView;
    expect(view.domain).toBe("slow.example.com");
    expect(view.source).toBe("added");
    expect(record(view, "smtp", "SPF")).toMatchObject({ status: "unknown", expected: "include:relay.example.net", detail: expect.stringMatching(/timed out/) });
    expect(view.result!.dmarc).toMatchObject({ status: "unknown", detail: expect.stringMatching(/SERVFAIL/) });
    expect(item(view, "spf").status).toBe("unknown");
    expect(item(view, "dmarc").status).toBe("unknown");
    expect(view.status).toBe("unknown");
  });

  it("SPF: two records, or more than 10 lookups, are mismatches; the ESP's include is looked for through nested includes", async () => {
    dns.set("two.example.com", { TXT: ["v=spf1 include:mailgun.org ~all", "v=spf1 ip4:192.0.2.1 -all"] });
    const two = (await (await add({ domain: "two.example.com", providers: ["smtp"], smtp: { spf_mechanism: "ip4:192.0.2.1" } })).json()) as DomainView;
    expect(two.result!.spf).toMatchObject({ status: "mismatch", detail: expect.stringMatching(/2 SPF records/) });
    expect(record(two, "smtp", "SPF").status).toBe("mismatch");
    expect(item(two, "spf").status).toBe("fail");

    const chain: Record<string, { TXT: string[] }> = {};
    for (let i = 0; i < 11; i++) chain[`n${i}.spf.example.net`] = { TXT: [`v=spf1 ${i < 10 ? `include:n${i + 1}.spf.example.net` : "ip4:192.0.2.9"} -all`] };
    for (const [name, entry] of Object.entries(chain)) dns.set(name, entry);
    dns.set("deep.example.com", { TXT: ["v=spf1 include:n0.spf.example.net -all"] });
    const deep = (await (await add({ domain: "deep.example.com", providers: ["smtp"], smtp: { spf_mechanism: "ip4:192.0.2.9" } })).json()) as DomainView;
    expect(deep.result!.spf).toMatchObject({ status: "mismatch", lookups: 11, detail: expect.stringMatching(/over the limit of 10/) });

    // Over 255 bytes, split mid-mechanism by the zone: the strings are joined without a space (RFC 7208 §3.3).
    const padding = Array.from({ length: 16 }, (_, i) => `ip4:192.0.2.${i}`).join(" ");
    const long = `v=spf1 ${padding} include:mailgun.org ~all`;
    const cut = long.indexOf("include:mailgun.org") + 6;
    dns.set("long.example.com", { TXT: [[long.slice(0, cut), long.slice(cut)]] });
    const longView = (await (await add({ domain: "long.example.com", providers: ["smtp"], smtp: { spf_mechanism: "include:mailgun.org" } })).json()) as DomainView;
    expect(record(longView, "smtp", "SPF")).toMatchObject({ status: "ok", found: [long] });

    dns.set("nested.example.com", { TXT: ["v=spf1 include:n9.spf.example.net -all"] });
    const nested = (await (await add({ domain: "nested.example.com", providers: ["smtp"], smtp: { spf_mechanism: "ip4:192.0.2.9" } })).json()) as DomainView;
    expect(record(nested, "smtp", "SPF")).toMatchObject({ status: "ok" });
    expect(nested.result!.spf.lookups).toBe(2);
  });

  it("generates a DKIM key for the SMTP relay on request: stored encrypted, only the public record shown", async () => {
    const res = await add({ domain: "example.com", smtp: { generate_dkim_key: { selector: "pm2" } } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toMatch(/PRIVATE KEY/);
    const view = JSON.parse(text) as DomainView;
    const generated = record(view, "smtp", "DKIM (generated key)");
    expect(generated).toMatchObject({ name: "pm2._domainkey.example.com", status: "missing", source: "ours" });
    expect(generated.expected).toMatch(/^v=DKIM1; k=rsa; p=MII/);
    expect(view.smtp.dkim_keys.map((k) => k.selector)).toEqual(["pm2"]);
    const [row] = await t.database.db.select().from(domainDkimKeys).where(eq(domainDkimKeys.workspaceId, w.workspace.id));
    expect(row!.privateKeyEncrypted).not.toMatch(/PRIVATE KEY/);
    const { private_key } = decryptJson<{ private_key: string }>(row!.privateKeyEncrypted, encryptionKey(), dkimKeyContext(w.workspace.id, "example.com", "pm2"));
    expect(private_key).toMatch(/BEGIN PRIVATE KEY/);
    // Published (as a zone file splits it), the next check finds it.
    dns.set("pm2._domainkey.example.com", { TXT: [generated.expected] });
    const after = (await (await check("example.com")).json()) as DomainView;
    expect(record(after, "smtp", "DKIM (generated key)").status).toBe("ok");
    // The same selector again is a conflict, not a silent replacement of a live key.
    const again = await add({ domain: "example.com", smtp: { generate_dkim_key: { selector: "pm2" } } });
    expect(again.status).toBe(409);
  });

  it("refuses bad input with 4xx naming the field", async () => {
    const bad = await add({ domain: "not a domain" });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.details.fields[0].field).toBe("domain");
    expect((await add({ domain: "ok.example.com", smtp: { spf_mechanism: "include:" } })).status).toBe(422);
    expect((await add({ domain: "ok.example.com", extra: true })).status).toBe(422);
    expect((await check("never-added.example.com")).status).toBe(404);
  });

  it("the scheduler re-checks due domains in the background, and a fix shows without a restart", async () => {
    dns.set("_dmarc.example.com", { TXT: ["v=DMARC1; p=none"] });
    // Make every domain of this workspace due now.
    await t.database.db.update(sendingDomains).set({ nextCheckAt: new Date(Date.now() - 1000) }).where(eq(sendingDomains.workspaceId, w.workspace.id));
    const scheduler = startDomainScheduler(t.database, { pollMs: 60_000 });
    try {
      await scheduler.runOnce();
    } finally {
      await scheduler.stop();
    }
    const main = await domain("example.com");
    expect(main.result!.dmarc).toMatchObject({ status: "ok", policy: "none" });
    expect(new Date(main.next_check_at).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(main.checked_at!).getTime()).toBeGreaterThan(Date.now() - 30_000);
  });
});
