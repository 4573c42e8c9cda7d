import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startApp, type RunningApp } from "../scripts/lib/app-server";
import { POSTMARK_TEST_SERVER_TOKEN, startPostmarkEmulator } from "../test/emulators/postmark-emulator";

/**
 * kill -9 of `npm start` on the embedded database (issue "Hardening, part 2"), against the real built app: 200
 * one-recipient emails are in flight to a slow Postmark when the server process dies. After a restart on the same
 * DATA_DIR nothing is lost, and nothing is sent twice: the copies Postmark had accepted are found by look-up.
 */
test("kill -9 mid-send on PGlite: restart loses nothing and resends nothing Postmark already has", async ({ request }) => {
  test.setTimeout(180_000);
  const postmark = await startPostmarkEmulator();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pm-crash-"));
  const env = { POSTMARK_API_BASE_URL: postmark.url, DISPATCHER_LEASE_SECONDS: "5", SETUP_TOKEN: "crash-test-token", LOG_LEVEL: "error", DNS_SERVERS: "127.0.0.1:9" };
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/cli.ts", ...args], {
      env: { ...process.env, ...env, DATA_DIR: dataDir, DATABASE_URL: "" },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  cli("setup", "--workspace", "Crash", "--email", "ops@example.com", "--password", "crash-password-123");
  const key = cli("api-key", "create", "--workspace", "Crash", "--name", "crash").split("\n").pop()!;
  const auth = { authorization: `Bearer ${key}` };

  let app: RunningApp | undefined = await startApp({ dataDir, env });
  try {
    const put = await request.put(`${app.url}/api/v1/providers/postmark`, { headers: auth, data: { api_token: POSTMARK_TEST_SERVER_TOKEN, default_sender: "ops@example.com" } });
    expect(put.status()).toBe(200);
    postmark.faults.setLatency(3000); // the dispatcher's calls hang in flight while we kill the server
    for (let i = 0; i < 200; i++) {
      const res = await request.post(`${app.url}/api/v1/emails/send`, { headers: auth, data: { from: "ops@example.com", to: `crash-${i}@example.com`, subject: "s", text_body: "t" } });
      expect(res.status()).toBe(202);
    }
    // Kill the process that owns the database (its pid is in the PGlite lock) once its calls reached Postmark.
    await expect.poll(() => postmark.requests.filter((r) => r.path.startsWith("/email")).length, { timeout: 60_000 }).toBeGreaterThan(0);
    const pid = Number(fs.readFileSync(path.join(dataDir, "pglite.lock"), "utf8").trim());
    process.kill(pid, "SIGKILL");
    await expect.poll(() => app!.process.exitCode !== null || app!.process.signalCode !== null, { timeout: 30_000 }).toBe(true);
    // Postmark finishes what it was given (an ESP does not know its client died).
    await new Promise((r) => setTimeout(r, 3500));
    postmark.faults.setLatency(0);
    const acceptedBeforeRestart = new Set(postmark.accepted.flatMap((m) => m.recipients)).size;
    expect(acceptedBeforeRestart).toBeGreaterThan(0);

    app = await startApp({ dataDir, env }); // same DATA_DIR: the stale lock of the dead pid is taken over
    const countSent = async () => {
      let n = 0;
      let cursor: string | null = null;
      do {
        const page = await (await request.get(`${app!.url}/api/v1/emails?status=sent&limit=100${cursor ? `&cursor=${cursor}` : ""}`, { headers: auth })).json();
        n += page.data.length;
        cursor = page.next_cursor;
      } while (cursor);
      return n;
    };
    await expect.poll(countSent, { timeout: 90_000, intervals: [1000] }).toBe(200);
    const counts = new Map<string, number>();
    for (const m of postmark.accepted) for (const r of m.recipients) counts.set(r, (counts.get(r) ?? 0) + 1);
    expect(counts.size).toBe(200); // nothing lost
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]); // nothing sent twice
  } finally {
    await app?.stop();
    await postmark.close();
  }
});
