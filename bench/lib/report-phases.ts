/**
 * Tables for the drain, failover and scale-out phases: printed, and written into BENCHMARKS.md as sub-sections of the
 * results section, each between its own markers (`<!-- bench:drain:start -->` …) so a phase run alone
 * (BENCH_PHASES=drain) replaces only its own sub-section and keeps the others.
 */
import fs from "node:fs";
import type { DrainResult } from "../phases/drain";
import type { FailoverResult } from "../phases/failover";
import type { ScaleOutResult } from "../phases/scaleout";
import type { ProcessMemory } from "./rss";

const RESULTS_END = "<!-- bench:results:end -->";
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "—");
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "—");
const ms = (n: number | null) => (n === null || !Number.isFinite(n) ? "—" : `${f0(n)} ms`);
const yes = (met: boolean) => (met ? "**yes**" : "**NO — missed**");

function md(head: string[], rows: string[][]): string {
  return [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export const MEMORY_TARGET_MB = 400;

function processRows(procs: ProcessMemory[]): string[][] {
  return procs.map((p) => [`\`${p.command}\``, f0(p.rssMb), f0(p.anonMb), f0(p.fileMb), f0(p.pssMb), f0(p.hwmMb)]);
}

export function drainMarkdown(r: DrainResult, when: string): string {
  const peak = Math.max(r.rss.peakMb, r.sendLoad.rss.peakMb);
  return [
    `### Backlog drain (${when})`,
    "",
    `${f0(r.recipients)} recipients queued through the send service in-process (100 per call, ${f1(r.queueSeconds)} s), then the real app started (\`scripts/lib/app-server.ts\` = \`npm start\`, PostgreSQL) and its in-process dispatcher drained them with the production settings (batch ${r.settings.batchSize}, concurrency ${r.settings.concurrency}) into the Postmark emulator (+${r.settings.latencyMs} ms per request). RSS of the app's process tree sampled from \`/proc\` every ${r.rss.intervalMs} ms from its spawn. Then the same app took the send benchmark's load (50 connections, ${r.settings.durationSec} s each for 1 and 100 recipients per request) with its dispatcher sending what it accepted.`,
    "",
    md(
      ["measure", "value", "target", "met"],
      [
        ["drain, emails/s (first provider call → last recorded sent)", `${f0(r.emailsPerSec)} (${f0(r.recipients)} in ${f1(r.seconds)} s, ${f0(r.providerCalls)} provider calls)`, "", ""],
        ["peak RSS of the app's process tree while draining", `${f0(r.rss.peakMb)} MB (PSS ${f0(r.rss.atPeakPssMb)} MB)`, `≤ ${MEMORY_TARGET_MB} MB`, yes(r.rss.peakMb <= MEMORY_TARGET_MB)],
        [
          "peak RSS under the send load, dispatcher on",
          `${f0(r.sendLoad.rss.peakMb)} MB (send ${f0(r.sendLoad.one.okPerSec)} req/s with 1 recipient, ${f0(r.sendLoad.hundred.okPerSec * 100)} recipients/s with 100)`,
          `≤ ${MEMORY_TARGET_MB} MB`,
          yes(r.sendLoad.rss.peakMb <= MEMORY_TARGET_MB),
        ],
        [
          "every recipient sent exactly once",
          `${f0(r.check.sent)} sent of ${f0(r.check.recipients)}; ${r.check.lost} lost, ${r.check.duplicated} duplicated, ${r.check.notSent} not sent, ${r.check.unrecorded} sent but unrecorded`,
          "0 lost, 0 duplicated",
          yes(r.check.ok),
        ],
      ],
    ),
    "",
    `CPU while draining (cores, of 2): the app's tree ${f2(r.cpu.server)}, PostgreSQL ${f2(r.cpu.postgres)}, whole machine ${f2(r.cpu.machine)}. Peak over both parts: ${f0(peak)} MB.`,
    "",
    `Where the memory is, per process at the drain's peak (MB; anon = JS heap, buffers and malloc; file = mapped code and files; PSS splits pages shared between processes):`,
    "",
    md(["process", "RSS", "anon", "file", "PSS", "peak RSS (VmHWM)"], processRows(r.rss.atPeak)),
    "",
    `The same at the send load's peak:`,
    "",
    md(["process", "RSS", "anon", "file", "PSS", "peak RSS (VmHWM)"], processRows(r.sendLoad.rss.atPeak)),
  ].join("\n");
}

export function failoverMarkdown(r: FailoverResult, when: string): string {
  return [
    `### Failover (${when})`,
    "",
    `The app (dispatcher in-process, PostgreSQL) sent one recipient per request at ${r.ratePerSec}/s, paced; Postmark first and Mailgun as the fallback, both connected and the failover policy set through the API (order postmark → mailgun), one workspace (own breaker) per policy. After ${r.beforeSec} s the Postmark emulator went hard down for the remaining ${r.downSec} s: requests arriving from then on dropped unanswered, the ones already being answered finished, then its listening socket and keep-alive connections closed (connection refused). Both emulators add ${r.latencyMs} ms per request. Latency = 202 received → the emulator accepting that recipient's copy (same clock).`,
    "",
    md(
      ["policy", "first Postmark failure → first Mailgun acceptance", "outage → first failure", "outage → breaker open", "p50 / p99 before (Postmark)", "p50 / p99 after breaker open (Mailgun)", "added p99 (target ≤ 1 s)", "caught by the outage: n, max latency", "accepted by", "lost / duplicated"],
      r.runs.map((x) => [
        `retry_delay_seconds ${x.retryDelaySeconds}, retry_attempts ${x.retryAttempts}${x.policy === "default policy" ? " (the default)" : ""}`,
        ms(x.failureToFallbackMs),
        ms(x.downToFirstFailureMs),
        ms(x.downToBreakerOpenMs),
        `${ms(x.before.p50)} / ${ms(x.before.p99)} (n ${x.before.n})`,
        `${ms(x.afterOpen.p50)} / ${ms(x.afterOpen.p99)} (n ${x.afterOpen.n})`,
        `${ms(x.addedP99Ms)} ${x.addedP99Ms <= 1000 ? "✓" : "✗"}`,
        `${x.caught.n}, ${ms(x.caught.maxMs)}`,
        Object.entries(x.byProvider).map(([k, v]) => `${k} ${f0(v)}`).join(", "),
        `${x.lost} / ${x.duplicated}${x.lost || x.duplicated ? " ✗" : " ✓"}`,
      ]),
    ),
    "",
    `"Caught by the outage" = accepted between Postmark going down and its breaker opening: their failed Postmark calls are retried after \`retry_delay_seconds\` (up to \`retry_attempts\` times, the breaker permitting), so with the default policy they wait about one delay before Mailgun takes them. Failed Postmark calls before the breaker opened: ${r.runs.map((x) => `${x.policy} ${x.failedCalls}`).join(", ")}.`,
  ].join("\n");
}

export function scaleOutMarkdown(r: ScaleOutResult, when: string): string {
  const [one, two] = r.shapes;
  return [
    `### Scale-out on PostgreSQL (${when})`,
    "",
    `Apps started as \`npm start\` with \`DISPATCHER_ENABLED=false\`, workers as \`npm run worker\`, all against one fresh database per shape; the Postmark emulator adds ${r.latencyMs} ms per request. Accepted/s: 1 recipient per request, 50 connections split over the apps, ${r.durationSec} s, the workers dispatching meanwhile. Dispatch alone: the workers paused (SIGSTOP), a backlog queued, resumed and timed to the last recorded send.`,
    "",
    md(
      ["shape", "accepted/s (sum over apps)", "dispatched/s meanwhile", "backlog drain, emails/s", "cores during load: all processes / PostgreSQL / machine", "sent exactly once"],
      r.shapes.map((s) => [
        `${s.apps} app${s.apps > 1 ? "s" : ""} + ${s.workers} worker${s.workers > 1 ? "s" : ""}`,
        f0(s.acceptedPerSec),
        f0(s.dispatchedDuringLoadPerSec),
        `${f0(s.drainPerSec)} (${f0(s.backlog)} in ${f2(s.drainSeconds)} s)`,
        `${f2(s.cpu.load.machine - s.cpu.load.postgres)} / ${f2(s.cpu.load.postgres)} / ${f2(s.cpu.load.machine)}`,
        `${f0(s.check.sent)} sent of ${f0(s.check.recipients)}; ${s.check.duplicated} duplicated, ${s.check.lost} lost, ${s.check.notSent} not sent ${s.check.ok ? "✓" : "✗"}`,
      ]),
    ),
    ...(one && two
      ? ["", `Two of each against one: accepted ${f2(two.acceptedPerSec / one.acceptedPerSec)}×, backlog drain ${f2(two.drainPerSec / one.drainPerSec)}×. Both shapes share the same cores (the machine column counts every process on it, other work included), so the shape and the exactly-once check, not the gain, are the result.`]
      : []),
  ].join("\n");
}

export function printPhases(parts: { drain?: DrainResult; failover?: FailoverResult; scaleout?: ScaleOutResult }, when: string): void {
  const out: string[] = [];
  if (parts.drain) out.push(drainMarkdown(parts.drain, when));
  if (parts.failover) out.push(failoverMarkdown(parts.failover, when));
  if (parts.scaleout) out.push(scaleOutMarkdown(parts.scaleout, when));
  if (out.length) console.log(`\n${out.join("\n\n")}\n`);
}

/**
 * Replaces (or adds, just before the results section's end marker) the sub-section `name` of BENCHMARKS.md. Without
 * a results section the sub-section is appended to the file.
 */
export function writePhaseSection(file: string, name: string, markdown: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${markdown}\n${end}`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n";
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + end.length);
  else if (text.includes(RESULTS_END)) text = text.replace(RESULTS_END, `${block}\n${RESULTS_END}`);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, text);
}

/** The sub-sections inside the results section, to carry over when the core phases rewrite that section. */
export function phaseSectionsIn(text: string): string {
  const blocks = text.match(/<!-- bench:(drain|failover|scaleout):start -->[\s\S]*?<!-- bench:\1:end -->/g) ?? [];
  return blocks.join("\n\n");
}
