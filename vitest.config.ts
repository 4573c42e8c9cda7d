import { defineConfig } from "vitest/config";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Keys generated during tests go to a throwaway directory, never the developer's ./.data.
const testDataDir = process.env.PM_TEST_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "pm-vitest-"));

// The SNS emulator's test CA (test/fixtures/sns): Node reads NODE_EXTRA_CA_CERTS only at process start, so it is set
// here, before the test workers are forked, and they trust the emulator's HTTPS certificate host. A bundle the
// environment already names is kept: the test CA is appended to a copy of it.
const testCa = fs.readFileSync(path.resolve(import.meta.dirname, "test/fixtures/sns/ca.pem"), "utf8");
if (!process.env.NODE_EXTRA_CA_CERTS || process.env.NODE_EXTRA_CA_CERTS !== process.env.PM_TEST_CA_BUNDLE) {
  const existing = process.env.NODE_EXTRA_CA_CERTS && fs.existsSync(process.env.NODE_EXTRA_CA_CERTS) ? fs.readFileSync(process.env.NODE_EXTRA_CA_CERTS, "utf8") : "";
  const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pm-test-ca-")), "ca-bundle.pem");
  fs.writeFileSync(bundle, `${existing.trimEnd()}\n${testCa}`);
  process.env.NODE_EXTRA_CA_CERTS = process.env.PM_TEST_CA_BUNDLE = bundle;
}

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
      AWS_ENDPOINT_URL_SESV2: process.env.AWS_ENDPOINT_URL_SESV2 ?? "http://127.0.0.1:9",
      // SNS signing certificates come from the local SNS emulator (test/emulators/sns-emulator.ts) in tests.
      SNS_SIGNING_CERT_HOSTS: process.env.SNS_SIGNING_CERT_HOSTS ?? "localhost:*",
      // Nor real DNS: domain checks go to the same closed port (answers "unknown") unless a test serves its own.
      DNS_SERVERS: process.env.DNS_SERVERS ?? "127.0.0.1:9",
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each create and drop their own database; two at once is what 2 cores carry well.
    maxWorkers: 2,
  },
});
