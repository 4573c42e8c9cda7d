/**
 * `npm test`: every tier — the type-check, Vitest (unit + integration, on PGlite and, with TEST_DATABASE_URL, PostgreSQL), then
 * Playwright e2e against the built app. Ends with one summary line: "tests: N passed, N failed".
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const reports = fs.mkdtempSync(path.join(os.tmpdir(), "pm-test-reports-"));
const vitestReport = path.join(reports, "vitest.json");
const e2eReport = path.join(reports, "e2e.json");
const extra = process.argv.slice(2);

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, args, { stdio: "inherit", env: { ...process.env, ...env } }).status ?? 1;

// Tier 0: the whole project type-checks (tests, scripts and benchmarks included; `next build` checks only the app).
const typecheckStatus = extra.length ? 0 : run([path.join("node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "."]);
if (typecheckStatus !== 0) console.error("typecheck failed (npm run typecheck)");
const vitestStatus = run([path.join("node_modules", "vitest", "vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestReport}`, ...extra]);
// Extra arguments select Vitest files (a developer's quick loop); the full run always includes e2e.
const e2eStatus = extra.length ? 0 : run([path.join("node_modules", "tsx", "dist", "cli.mjs"), path.join("scripts", "e2e.ts")], { E2E_JSON_REPORT: e2eReport });

let passed = 0;
let failed = 0;
if (fs.existsSync(vitestReport)) {
  const v = JSON.parse(fs.readFileSync(vitestReport, "utf8"));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
}
if (fs.existsSync(e2eReport)) {
  const p = JSON.parse(fs.readFileSync(e2eReport, "utf8"));
  passed += p.stats.expected;
  failed += p.stats.unexpected + p.stats.flaky;
}
if (vitestStatus !== 0 && failed === 0) failed = 1; // a tier that crashed before reporting still fails the run
if (typecheckStatus !== 0) failed += 1;
if (!extra.length && e2eStatus !== 0 && !fs.existsSync(e2eReport)) failed += 1;
fs.rmSync(reports, { recursive: true, force: true });
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(typecheckStatus !== 0 || vitestStatus !== 0 || e2eStatus !== 0 ? 1 : 0);
