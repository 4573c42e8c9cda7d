/**
 * `npx tsx scripts/screenshots.ts`: starts the built app on a throwaway DATA_DIR and saves a screenshot of each page to
 * docs/screenshots/ (set-up, sign-in with an error, API keys). Real Chromium (Debian's, see scripts/lib/chromium.ts).
 */
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
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
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
  await page.goto(`${app.url}/settings/api-keys`);
  await page.screenshot({ path: path.join(OUT, "api-keys.png") });
  console.error(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await app.stop();
}
