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
    env: { DATA_DIR: testDataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each create and drop their own database; two at once is what 2 cores carry well.
    maxWorkers: 2,
  },
});
