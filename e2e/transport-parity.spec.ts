import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { startApp, type RunningApp } from "../scripts/lib/app-server";
import { POSTMARK_TEST_SERVER_TOKEN, startPostmarkEmulator } from "../test/emulators/postmark-emulator";
import { postmarkPayload } from "../test/webhooks/webhook-fixtures";

/**
 * Transport parity (issue 19): `npm start` serves the send API and the webhooks through its lean node:http front
 * (server/front.ts), and with LEAN_TRANSPORT=false through Next.js. The same requests, against the same database,
 * get the same status, the headers that matter and the same body on both. Requests that create something are made
 * once on each transport with an Idempotency-Key (or an event id) the other transport then replays, so even the
 * bodies of successes are compared exactly.
 */
interface Probe {
  name: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

const HEADERS_THAT_MATTER = ["content-type", "retry-after", "idempotent-replayed", "www-authenticate", "x-powered-by", "cache-control"];

async function ask(request: APIRequestContext, base: string, probe: Probe): Promise<Answer> {
  const res = await request.fetch(`${base}${probe.path}`, { method: "POST", headers: probe.headers, data: probe.body, maxRedirects: 0 });
  const headers = Object.fromEntries(HEADERS_THAT_MATTER.map((h) => [h, res.headers()[h]]));
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* compared as text */
  }
  return { status: res.status(), headers, body };
}

test("the lean front and Next.js answer the hot routes alike", async ({ request }) => {
  test.setTimeout(240_000);
  const postmark = await startPostmarkEmulator();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pm-parity-"));
  const env = { POSTMARK_API_BASE_URL: postmark.url, SETUP_TOKEN: "parity-token", LOG_LEVEL: "error", DNS_SERVERS: "127.0.0.1:9", MAX_REQUEST_BYTES: "65536", SEND_RATE_LIMIT_PER_SECOND: "0" };
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/cli.ts", ...args], { env: { ...process.env, ...env, DATA_DIR: dataDir, DATABASE_URL: "" }, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  cli("setup", "--workspace", "Parity", "--email", "ops@example.com", "--password", "parity-password-123");
  const key = cli("api-key", "create", "--workspace", "Parity", "--name", "parity").split("\n").pop()!;
  const bearer = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const email = (extra: Record<string, unknown> = {}) => JSON.stringify({ from: "ops@example.com", to: "jane@example.com", subject: "Parity", text_body: "t", ...extra });

  let hookPath = "";
  let hookAuth = "";
  const probes = (): Probe[] => [
    { name: "no key", path: "/api/v1/emails/send", headers: { "content-type": "application/json" }, body: email() },
    { name: "unknown key", path: "/api/v1/emails/send", headers: { ...bearer, authorization: "Bearer pm_live_nope" }, body: email() },
    { name: "malformed JSON", path: "/api/v1/emails/send", headers: bearer, body: "{nope" },
    { name: "empty body", path: "/api/v1/emails/send", headers: bearer, body: "" },
    { name: "NUL in a field", path: "/api/v1/emails/send", headers: bearer, body: email({ subject: "a\u0000b" }) },
    { name: "lone surrogate", path: "/api/v1/emails/send", headers: bearer, body: '{"from":"ops@example.com","to":"j@example.com","subject":"\\ud800","text_body":"t"}' },
    { name: "another media type", path: "/api/v1/emails/send", headers: { ...bearer, "content-type": "text/csv" }, body: email() },
    { name: "too large", path: "/api/v1/emails/send", headers: bearer, body: email({ text_body: "x".repeat(70_000) }) },
    { name: "invalid fields", path: "/api/v1/emails/send", headers: bearer, body: JSON.stringify({ from: "nobody", to: [], subject: 5 }) },
    { name: "absurd date", path: "/api/v1/emails/send", headers: bearer, body: email({ send_at: "+275760-09-13T00:00:00.001Z" }) },
    { name: "webhook, unknown hook", path: "/webhooks/postmark/no-such-hook", headers: { authorization: hookAuth, "content-type": "application/json" }, body: JSON.stringify(postmarkPayload("delivery")) },
    { name: "webhook, unknown provider", path: "/webhooks/carrier-pigeon/hook", headers: { "content-type": "application/json" }, body: "{}" },
    { name: "webhook, wrong credentials", path: hookPath, headers: { authorization: "Basic " + Buffer.from("x:y").toString("base64"), "content-type": "application/json" }, body: JSON.stringify(postmarkPayload("delivery")) },
    { name: "webhook, malformed JSON", path: hookPath, headers: { authorization: hookAuth, "content-type": "application/json" }, body: "{oops" },
  ];
  /** Made first on the transport named by `tag`; what the lean front created is replayed on Next.js. */
  const created = (tag: string): Probe[] => [
    { name: `send ${tag}`, path: "/api/v1/emails/send", headers: { ...bearer, "idempotency-key": `parity-${tag}` }, body: email({ to: [`a-${tag}@example.com`, `b-${tag}@example.com`] }) },
    { name: `webhook ${tag}`, path: hookPath, headers: { authorization: hookAuth, "content-type": "application/json" }, body: JSON.stringify(postmarkPayload("delivery", { MessageID: `parity-${tag}`, Recipient: `a-${tag}@example.com` })) },
  ];

  const answers: Record<"lean" | "next", Record<string, Answer>> = { lean: {}, next: {} };
  let app: RunningApp | undefined;
  try {
    for (const transport of ["lean", "next"] as const) {
      app = await startApp({ dataDir, env: { ...env, LEAN_TRANSPORT: transport === "lean" ? "true" : "false" } });
      if (!hookPath) {
        const put = await request.put(`${app.url}/api/v1/providers/postmark`, { headers: bearer, data: { api_token: POSTMARK_TEST_SERVER_TOKEN, default_sender: "ops@example.com" } });
        expect(put.status()).toBe(200);
        const view = (await put.json()) as { webhook: { url: string } };
        hookPath = new URL(view.webhook.url).pathname;
        const { credentials } = (await (await request.get(`${app.url}/api/v1/providers/postmark/webhook-credentials`, { headers: bearer })).json()) as { credentials: { username: string; password: string } };
        hookAuth = "Basic " + Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
      }
      for (const probe of probes()) answers[transport][probe.name] = await ask(request, app.url, probe);
      // Created here; on the second transport the first one's creations are replayed too.
      const creations = transport === "lean" ? created("lean") : [...created("next"), ...created("lean")];
      for (const probe of creations) answers[transport][probe.name] = await ask(request, app.url, probe);
      await app.stop({ keepDataDir: true });
      app = undefined;
    }
    const { lean, next } = answers;
    for (const probe of probes()) {
      expect.soft(lean[probe.name], probe.name).toEqual(next[probe.name]);
      expect(lean[probe.name]!.status, probe.name).toBeGreaterThanOrEqual(400);
      expect(lean[probe.name]!.status, probe.name).toBeLessThan(500);
    }
    expect(lean["send lean"]!.status).toBe(202);
    expect(next["send lean"]).toEqual({ ...lean["send lean"], headers: { ...lean["send lean"]!.headers, "idempotent-replayed": "true" } });
    expect(next["send next"]!.status).toBe(202);
    expect(Object.keys(next["send next"]!.body as object).sort()).toEqual(Object.keys(lean["send lean"]!.body as object).sort());
    expect(lean["webhook lean"]!.status).toBe(200);
    expect(lean["webhook lean"]!.body).toMatchObject({ stored: 1 });
    expect(next["webhook next"]).toEqual(lean["webhook lean"]);
    expect(next["webhook lean"]!.body).toMatchObject({ stored: 0 });
  } finally {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await postmark.close();
  }
});
