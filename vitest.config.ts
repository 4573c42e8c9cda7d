import { defineConfig } from "vitest/config";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Keys generated during tests go to a throwaway directory, never the developer's ./.data.
const testDataDir = process.env.PM_TEST_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "pm-vitest-"));

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "test/**/*.test.ts", "db/**/*.test.ts"],
    exclude: ["node_modules", "e2e", "bench"],
    // No test may reach a real ESP: unless a test points them at its emulator, the ESP base URLs lead to a closed
    // loopback port (the discard port), so a stray provider call fails fast and locally.
    env: {
      DATA_DIR: testDataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      POSTMARK_API_BASE_URL: process.env.POSTMARK_API_BASE_URL ?? "http://127.0.0.1:9",
      MAILGUN_API_BASE_URL: process.env.MAILGUN_API_BASE_URL ?? "http://127.0.0.1:9",
      // Nor real DNS: domain checks go to the same closed port (answers "unknown") unless a test serves its own.
      DNS_SERVERS: process.env.DNS_SERVERS ?? "127.0.0.1:9",
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each create and drop their own database; two at once is what 2 cores carry well.
    maxWorkers: 2,
  },
});
