/**
 * `npx tsx scripts/screenshots.ts`: refreshes docs/screenshots/ (1280×800, real Chromium — Debian's, see
 * scripts/lib/chromium.ts). Set-up and sign-in are taken here on a throwaway app; the console pages are taken by the
 * console e2e specs themselves (against the ESP emulators), run with E2E_SCREENSHOT_DIR pointing here.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { chromium } from "playwright-core";
import { ensureBuild } from "./lib/ensure-build";
import { startApp } from "./lib/app-server";
import { findChromium } from "./lib/chromium";

const OUT = path.join(process.cwd(), "docs", "screenshots");
const token = "screenshot-setup-token";
ensureBuild();
const app = await startApp({ env: { SETUP_TOKEN: token } });
const browser = await chromium.launch({ executablePath: await findChromium(), args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${app.url}/setup`);
  await page.getByLabel("Set-up token").fill("wrong");
  await page.getByLabel("Workspace name").fill("Acme Mail");
  await page.getByLabel("Your email").fill("owner@acme.test");
  await page.getByLabel("Password").fill("penguins-are-great");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await page.getByText("The set-up token is missing or wrong").waitFor();
  await page.screenshot({ path: path.join(OUT, "setup-wrong-token.png") });
  await page.getByLabel("Set-up token").fill(token);
  await page.getByLabel("Workspace name").fill("Acme Mail");
  await page.getByLabel("Your email").fill("owner@acme.test");
  await page.getByLabel("Password").fill("penguins-are-great");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await page.waitForURL(/\/login/);
  await page.getByLabel("Email").fill("owner@acme.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("Wrong email or password.").waitFor();
  await page.screenshot({ path: path.join(OUT, "login-error.png") });
  await page.getByLabel("Password").fill("penguins-are-great");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
} finally {
  await browser.close();
  await app.stop();
}
const e2e = spawnSync(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), path.join("scripts", "e2e.ts"), "integrations.spec.ts", "console-roles.spec.ts", "activity.spec.ts", "domains.spec.ts", "members.spec.ts", "webhooks-log.spec.ts", "dashboard.spec.ts", "cost.spec.ts", "demo.spec.ts"], {
  stdio: "inherit",
  env: { ...process.env, E2E_SCREENSHOT_DIR: OUT },
});
if (e2e.status !== 0) process.exit(e2e.status ?? 1);
console.error(`screenshots written to ${OUT}`);
