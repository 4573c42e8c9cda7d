import { defineConfig } from "@playwright/test";

/**
 * Run through `npm run test:e2e` (scripts/e2e.ts), which builds and starts the app on a free port with a
 * throwaway data dir and passes E2E_BASE_URL and the Chromium path here.
 */
export default defineConfig({
  testDir: ".",
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [["list"], ["json", { outputFile: process.env.E2E_JSON_REPORT ?? "test-results/e2e.json" }]],
  use: {
    baseURL: process.env.E2E_BASE_URL,
    viewport: { width: 1280, height: 800 },
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.E2E_CHROMIUM_PATH || undefined,
      // The flags that work on this closed network (no background connections to Google's hosts).
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
});
