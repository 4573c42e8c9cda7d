import fs from "node:fs";

/**
 * The browser for e2e: CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own download. With none
 * of them, the e2e tier fails (never skips) with the way to install one.
 */
export async function findChromium(): Promise<string> {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean) as string[];
  for (const candidate of candidates) if (fs.existsSync(candidate)) return candidate;
  try {
    const { chromium } = await import("playwright-core");
    const own = chromium.executablePath();
    if (own && fs.existsSync(own)) return own;
  } catch {
    /* playwright-core not resolvable: fall through to the message */
  }
  throw new Error(
    "No Chromium found for the e2e tests. Install one: `sudo apt-get update && sudo apt-get install -y chromium` (Debian/Ubuntu), " +
      "or `npx playwright install chromium`, or set CHROMIUM_PATH to a Chromium/Chrome binary.",
  );
}
