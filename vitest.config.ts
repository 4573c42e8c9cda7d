import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "test/**/*.test.ts", "db/**/*.test.ts"],
    exclude: ["node_modules", "e2e", "bench"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each create and drop their own database; two at once is what 2 cores carry well.
    maxWorkers: 2,
  },
});
