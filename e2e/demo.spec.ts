import { spawn } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures/console-app";
import { screenshot } from "./fixtures/page-checks";

/**
 * `npm run demo`, bounded (issue 15): the demo starts its own app (it needs the build, so it is tested in this tier,
 * after scripts/e2e.ts built it), sends, gets the emulators' webhooks stored, fails over when Postmark goes down,
 * lets the printed login sign in, and stops cleanly on SIGINT (Ctrl-C) with exit 0.
 */
test("npm run demo: sends, stores webhooks, fails over when Postmark is down, stops cleanly on Ctrl-C", async ({ page }) => {
  test.setTimeout(90_000);
  const demo = spawn(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), path.join("scripts", "demo.ts")], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DEMO_PORT: "0",
      DEMO_SENDS_PER_SECOND: "3",
      DEMO_FIRST_OUTAGE_SECONDS: "4",
      DEMO_OUTAGE_SECONDS: "30",
      DEMO_OUTAGE_EVERY_SECONDS: "0",
      DEMO_SUMMARY_SECONDS: "0",
      // A bound in case the test dies before its SIGINT: the demo then stops by itself.
      DEMO_DURATION_SECONDS: "110",
    },
  });
  let output = "";
  let consoleUrl = "";
  demo.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => demo.once("exit", (code) => resolve(code)));
  try {
    await expect.poll(() => output, { timeout: 60_000, message: "the demo prints its console URL, login and API key" }).toMatch(/API key\s+pm_\S+/);
    consoleUrl = /Console\s+(http:\/\/\S+)/.exec(output)![1]!;
    const login = /sign in as (\S+) \/ (\S+)/.exec(output)!;
    const key = /API key\s+(pm_\S+)/.exec(output)![1]!;
    const get = async (url: string) => {
      const res = await fetch(`${consoleUrl}${url}`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status, url).toBe(200);
      return res.json();
    };

    // Sends and the ESPs' webhooks, stored through the real receivers.
    await expect.poll(async () => (await get("/api/v1/events?provider=mailgun&type=delivered&limit=5")).data.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await get("/api/v1/events?provider=postmark&type=delivered&limit=5")).data.length, { timeout: 30_000 }).toBeGreaterThan(0);

    // Postmark goes down: transactional mail (routed to Postmark) is sent by Mailgun after Postmark failed.
    await expect.poll(() => output, { timeout: 30_000 }).toContain("Postmark is DOWN");
    // (The first ones tried Postmark; once its breaker is open, later ones go straight to Mailgun.)
    const failedOverAfterPostmarkFailed = async () => {
      for (const email of (await get("/api/v1/emails?type=transactional&provider=mailgun&status=sent&limit=50")).data) {
        const log: Array<{ provider: string; outcome: string }> = (await get(`/api/v1/emails/${email.id}`)).recipients[0].attempt_log;
        if (log[0]?.provider === "postmark" && log[0].outcome === "retryable" && log.at(-1)?.provider === "mailgun" && log.at(-1)?.outcome === "accepted") return email.id;
      }
      return null;
    };
    await expect.poll(failedOverAfterPostmarkFailed, { timeout: 40_000 }).not.toBeNull();
    await expect.poll(() => output, { timeout: 30_000 }).toContain("breaker OPENED");

    // The printed login signs in to the console: the Dashboard compares the providers from the demo's own traffic,
    // and Integrations shows Postmark's breaker open (README "Try it: the demo" shows both).
    await page.setViewportSize({ width: 1280, height: 800 });
    await signIn(page, consoleUrl, { email: login[1]!, password: login[2]! });
    await page.goto(consoleUrl);
    await expect(page.getByTestId("failover-paths").getByText(/Postmark/).first()).toBeVisible({ timeout: 20_000 });
    await screenshot(page, "demo-dashboard", { fullPage: true });
    await page.goto(`${consoleUrl}/settings/integrations`);
    await expect(page.getByText(/breaker open|Breaker open/i).first()).toBeVisible({ timeout: 20_000 });
    await screenshot(page, "demo-integrations");
  } finally {
    if (demo.exitCode === null) demo.kill("SIGINT");
  }
  const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve("still running after 25 s"), 25_000))]);
  if (code !== 0 && demo.exitCode === null) demo.kill("SIGKILL");
  expect(code, output).toBe(0);
  expect(output).toContain("Stopped.");
  // The app went with it.
  await expect(fetch(`${consoleUrl}/api/health`)).rejects.toThrow();
});
