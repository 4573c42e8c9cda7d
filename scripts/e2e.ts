/** `npm run test:e2e`: build if needed, start the app on a free port with a throwaway data dir, run Playwright. */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { ensureBuild } from "./lib/ensure-build";
import { startApp } from "./lib/app-server";
import { findChromium } from "./lib/chromium";

let chromium: string;
try {
  chromium = await findChromium();
} catch (err) {
  console.error(`e2e: ${(err as Error).message}`);
  process.exit(1);
}
ensureBuild();
// The one-time set-up token the app would print; fixed here so the browser test can type it like an operator does.
const setupToken = randomBytes(18).toString("base64url");
// No test touches the internet: DNS checks go to a closed local port (answers "unknown").
const app = await startApp({ env: { SETUP_TOKEN: setupToken, DNS_SERVERS: "127.0.0.1:9" } });
console.error(`e2e: app at ${app.url} (data dir ${app.dataDir}), Chromium ${chromium}`);
let status = 1;
try {
  const result = spawnSync(
    process.execPath,
    [path.join("node_modules", "@playwright", "test", "cli.js"), "test", "-c", path.join("e2e", "playwright.config.ts"), ...process.argv.slice(2)],
    { stdio: "inherit", env: { ...process.env, E2E_BASE_URL: app.url, E2E_CHROMIUM_PATH: chromium, E2E_SETUP_TOKEN: setupToken } },
  );
  status = result.status ?? 1;
} finally {
  await app.stop();
}
process.exit(status);
