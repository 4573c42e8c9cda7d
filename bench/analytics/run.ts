/**
 * The analytics benchmark (issue 14), part of `npm run bench` and runnable alone: `npx tsx bench/analytics/run.ts`.
 *
 * On a fresh PostgreSQL database it generates, in SQL, ~10 million events (BENCH_ANALYTICS_EVENTS) for one workspace
 * across 3 providers, 3 types and 90 days, plus noise in four other workspaces; sets the recipients' engagement
 * columns from those events and builds the rollups with the product's own rebuild (`rebuildAnalytics`). Then it
 * measures the dashboard API's service function (`getDeliverability`) for 7, 30 and 90 days beside a plain aggregate
 * over `events` + `message_recipients` computing the same figures, in the same run. Writes its section of
 * BENCHMARKS.md between the analytics markers. Everything it creates is dropped at the end.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { openDatabase } from "../../db/client";
import { migrateDatabase } from "../../db/migrate";
import { rebuildAnalytics } from "../../lib/analytics/rebuild";
import { getDeliverability } from "../../lib/analytics/deliverability";
import { foldAnalytics } from "../../lib/analytics/fold";

const ROOT = path.resolve(import.meta.dirname, "../..");
const EVENTS = Number(process.env.BENCH_ANALYTICS_EVENTS ?? 10_000_000);
const ITERATIONS = Number(process.env.BENCH_ANALYTICS_ITERATIONS ?? 40);
const BASELINE_ITERATIONS = Number(process.env.BENCH_ANALYTICS_BASELINE_ITERATIONS ?? 5);
const START = "<!-- analytics-bench:start -->";
const END = "<!-- analytics-bench:end -->";
const log = (msg: string) => console.error(`[bench analytics ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** Events per recipient the generator averages (delivered/bounce ≈ 1, opens 0–4 on 60 %, clicks on 30 %): measured 2.62. */
const EVENTS_PER_RECIPIENT = 2.62;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const result = await fn();
  return [performance.now() - t0, result];
}

/**
 * Recipients of one workspace, generated set-wise. Recipient i belongs to message i/10; a message's time spreads the
 * workspace's mail over `days` days; type = message mod 3 (transactional → postmark, marketing → mailgun, cold →
 * smtp), 1 % of transactional fail over to mailgun; the outcome is a hash of i (≈ 92 % delivered, 3 % hard, 1 % soft,
 * 0.1 % complaints, failures, deferrals, suppressions).
 */
function generateSql(ws: string, recipients: number, days: number, end: Date): string {
  const messages = Math.ceil(recipients / 10);
  const span = days * 86_400;
  return `
    insert into workspaces (id, name, hook_id) values ('${ws}', '${ws}', 'hook_${ws}');
    insert into workspace_settings (workspace_id) values ('${ws}');
    insert into messages (id, workspace_id, type, from_address, subject, tags, campaign_id, created_at)
    select '${ws}_m' || lpad(m::text, 9, '0'), '${ws}', (array['transactional','marketing','cold_outreach'])[m % 3 + 1],
           case m % 3 when 2 then 'Sales <sales@outreach.example>' else 'Acme <news@acme.example>' end, 'Hello',
           case m % 3 when 1 then jsonb_build_array('promo', 'wk' || (m % 7)) else '[]'::jsonb end,
           case m % 3 when 1 then 'campaign-' || (m % 12) else null end,
           '${end.toISOString()}'::timestamptz - make_interval(secs => ${span} - (m::float8 * ${span} / ${messages}))
      from generate_series(0, ${messages - 1}) m;
    insert into message_recipients (id, workspace_id, message_id, email, status, chain, chain_position, provider, provider_message_id,
                                    sent_at, created_at, next_attempt_at)
    select '${ws}_r' || lpad(i::text, 10, '0'), '${ws}', '${ws}_m' || lpad((i / 10)::text, 9, '0'),
           'u' || i || '@' || (array['gmail.com','yahoo.com','outlook.com','example.com','corp.example'])[i % 5 + 1],
           st, jsonb_build_array(first), case when first = prov then 0 else 1 end, prov, '${ws}_p' || i,
           case when st in ('suppressed', 'deferred') then null else t + interval '2 seconds' end, t, t
      from generate_series(0, ${recipients - 1}) i,
      lateral (select '${end.toISOString()}'::timestamptz - make_interval(secs => ${span} - ((i / 10)::float8 * ${span} / ${messages})) as t,
                      (array['postmark','mailgun','smtp'])[(i / 10) % 3 + 1] as first,
                      abs(hashint4(i)) % 1000 as h) x,
      lateral (select case when x.first = 'postmark' and x.h % 100 = 7 then 'mailgun' else x.first end as prov,
                      case when x.h < 920 then 'delivered' when x.h < 950 then 'bounced' when x.h < 960 then 'sent'
                           when x.h < 961 then 'complained' when x.h < 966 then 'failed' when x.h < 970 then 'deferred'
                           when x.h < 975 then 'suppressed' else 'sent' end as st) y;
    insert into events (id, workspace_id, recipient_id, message_id, provider, type, recipient_email, provider_message_id, occurred_at, dedup_key, details)
    select '${ws}_e' || r.id || '_' || k.n, '${ws}', r.id, r.message_id, r.provider, k.type, r.email, r.provider_message_id,
           r.sent_at + make_interval(mins => k.n * 7), '${ws}:' || r.id || ':' || k.n,
           case k.type when 'bounced' then jsonb_build_object('bounceClass', k.class) when 'opened' then
             case when k.n = 9 then '{"machine":true}'::jsonb else '{}'::jsonb end else '{}'::jsonb end
      from message_recipients r
      cross join lateral (select abs(hashint4(hashtext(r.id))) % 1000 as h) x
      cross join lateral (
        select 0 as n, 'delivered' as type, null as class where r.status in ('delivered', 'complained')
        union all select 1, 'bounced', 'hard' where r.status = 'bounced'
        union all select 1, 'bounced', 'soft' where r.status = 'sent' and x.h < 300
        union all select 2, 'complained', null where r.status = 'complained'
        union all select 2 + g, 'opened', null from generate_series(1, x.h % 5) g where r.status in ('delivered', 'complained') and x.h < 650
        union all select 9, 'opened', null where r.status = 'delivered' and x.h % 10 = 3
        union all select 10, 'clicked', null where r.status = 'delivered' and x.h < 300
        union all select 11, 'clicked', null where r.status = 'delivered' and x.h < 100
      ) k
     where r.workspace_id = '${ws}';`;
}

/** The same figures as the API, by a plain aggregate over the raw rows (what a dashboard without rollups runs). */
function plainAggregate(ws: string, from: Date, to: Date): string {
  return `
    with r as (
      select id, provider, status, sent_at from message_recipients
       where workspace_id = '${ws}' and coalesce(sent_at, created_at) >= '${from.toISOString()}' and coalesce(sent_at, created_at) < '${to.toISOString()}'
    ), e as (
      select e.recipient_id,
             bool_or(e.type = 'opened' and coalesce(e.details->>'machine', '') <> 'true') as opened,
             count(*) filter (where e.type = 'opened' and coalesce(e.details->>'machine', '') <> 'true') as opens,
             count(*) filter (where e.type = 'opened' and e.details->>'machine' = 'true') as machine,
             bool_or(e.type = 'clicked') as clicked, count(*) filter (where e.type = 'clicked') as clicks,
             bool_or(e.type = 'unsubscribed') as unsubscribed,
             bool_or(e.type = 'bounced' and e.details->>'bounceClass' = 'soft') as soft
        from events e join r on r.id = e.recipient_id
       where e.workspace_id = '${ws}' and e.type in ('opened', 'clicked', 'unsubscribed', 'bounced')
       group by e.recipient_id
    )
    select r.provider, count(*) filter (where r.sent_at is not null) as sent,
           count(*) filter (where r.status in ('delivered', 'complained')) as delivered,
           count(*) filter (where r.status = 'bounced') as hard_bounced,
           count(*) filter (where e.soft and r.status = 'sent') as soft_bounced,
           count(*) filter (where r.status = 'complained') as complained,
           count(*) filter (where e.opened and r.status in ('delivered', 'complained')) as opened,
           sum(e.opens) as opens_total, sum(e.machine) as machine_opens,
           count(*) filter (where e.clicked and r.status in ('delivered', 'complained')) as clicked, sum(e.clicks) as clicks_total,
           count(*) filter (where e.unsubscribed) as unsubscribed, count(*) filter (where r.status = 'failed') as failed,
           count(*) filter (where r.status = 'suppressed') as suppressed, count(*) filter (where r.status = 'deferred') as deferred
      from r left join e on e.recipient_id = r.id
     group by r.provider`;
}

export interface AnalyticsBenchResult {
  events: number;
  recipients: number;
  noiseEvents: number;
  generateMs: number;
  rebuildMs: number;
  rollupRows: number;
  ranges: Array<{ days: number; apiP50: number; apiP95: number; dayP95: number; plainP50: number; plainP95: number }>;
  pgVersion: string;
}

export async function runAnalyticsBench(): Promise<AnalyticsBenchResult> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const dbName = `pm_bench_analytics_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const [{ version: pgVersion }] = (await admin`select current_setting('server_version') as version`) as unknown as [{ version: string }];
  await admin.unsafe(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const database = await openDatabase({ url: url.toString(), maxConnections: 4 });
  const raw = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    await migrateDatabase(database);
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const recipients = Math.round(EVENTS / EVENTS_PER_RECIPIENT);
    const ws = "wsbench";
    log(`generating ~${(EVENTS / 1e6).toFixed(1)}M events (${recipients.toLocaleString()} recipients, 90 days) + noise in 4 workspaces…`);
    const [generateMs] = await timed(async () => {
      // Bulk generation with the analytics triggers off (superuser session): the rebuild below builds the rollups.
      await raw.unsafe(`set session_replication_role = replica; ${generateSql(ws, recipients, 90, end)}`);
      for (let n = 1; n <= 4; n++) await raw.unsafe(generateSql(`wsnoise${n}`, Math.round(recipients / 20), 90, end));
      await raw.unsafe(`set session_replication_role = origin; analyze`);
    });
    const [[{ events, noise }]] = [(await raw`select count(*) filter (where workspace_id = ${ws})::int as events, count(*) filter (where workspace_id <> ${ws})::int as noise from events`) as unknown as [{ events: number; noise: number }]];
    log(`generated ${events.toLocaleString()} events (+${noise.toLocaleString()} noise) in ${(generateMs / 1000).toFixed(0)} s; rebuilding the rollups…`);
    if (process.env.BENCH_ANALYTICS_KEEP_DB) log(`database ${dbName}`);
    const [rebuildMs, rebuilt] = await timed(() => rebuildAnalytics(database));
    await foldAnalytics(database);
    await raw.unsafe("analyze analytics_rollups");
    log(`rebuild: ${(rebuildMs / 1000).toFixed(1)} s, ${rebuilt.rollupRows.toLocaleString()} rollup rows`);

    const ctx = { database, workspaceId: ws, actor: { type: "system" as const } };
    const ranges: AnalyticsBenchResult["ranges"] = [];
    for (const days of [7, 30, 90]) {
      const from = new Date(end.getTime() - days * 86_400_000);
      const q = { from: from.toISOString(), to: end.toISOString() };
      for (let i = 0; i < 3; i++) await getDeliverability(ctx, q); // warm
      const api: number[] = [];
      const byDay: number[] = [];
      for (let i = 0; i < ITERATIONS; i++) {
        api.push((await timed(() => getDeliverability(ctx, q)))[0]);
        byDay.push((await timed(() => getDeliverability(ctx, { ...q, group_by: "day" })))[0]);
      }
      const plain: number[] = [];
      for (let i = 0; i < BASELINE_ITERATIONS; i++) plain.push((await timed(() => raw.unsafe(plainAggregate(ws, from, end))))[0]);
      const row = { days, apiP50: percentile(api, 50), apiP95: percentile(api, 95), dayP95: percentile(byDay, 95), plainP50: percentile(plain, 50), plainP95: percentile(plain, 95) };
      ranges.push(row);
      log(`${days} d: API p50 ${row.apiP50.toFixed(1)} ms p95 ${row.apiP95.toFixed(1)} ms (by day p95 ${row.dayP95.toFixed(1)}); plain aggregate p50 ${row.plainP50.toFixed(0)} ms p95 ${row.plainP95.toFixed(0)} ms`);
    }
    // The two must agree: the API's 90-day totals against the plain aggregate's.
    const from90 = new Date(end.getTime() - 90 * 86_400_000);
    const api = await getDeliverability(ctx, { from: from90.toISOString(), to: end.toISOString() });
    const plainRows = (await raw.unsafe(plainAggregate(ws, from90, end))) as unknown as Array<Record<string, string>>;
    const plainSent = plainRows.reduce((n, r) => n + Number(r.sent), 0);
    const plainOpened = plainRows.reduce((n, r) => n + Number(r.opened), 0);
    if (plainSent !== api.totals.sent || plainOpened !== api.totals.opened) {
      throw new Error(`API and plain aggregate disagree: sent ${api.totals.sent} vs ${plainSent}, opened ${api.totals.opened} vs ${plainOpened}`);
    }
    return { events, recipients, noiseEvents: noise, generateMs, rebuildMs, rollupRows: rebuilt.rollupRows, ranges, pgVersion };
  } finally {
    await raw.end({ timeout: 5 }).catch(() => {});
    await database.close().catch(() => {});
    if (process.env.BENCH_ANALYTICS_KEEP_DB) log(`kept database ${dbName}`);
    else await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
  }
}

export function analyticsMarkdown(r: AnalyticsBenchResult): string {
  const lines = [
    START,
    `### Analytics: the dashboard API at ${(r.events / 1e6).toFixed(1)} million events (run ${new Date().toISOString().slice(0, 16)}Z, PostgreSQL ${r.pgVersion}, ${os.cpus().length} cores)`,
    "",
    `One workspace: ${r.events.toLocaleString("en-US")} events on ${r.recipients.toLocaleString("en-US")} recipients, 3 providers, 3 types, 90 days; noise: ${r.noiseEvents.toLocaleString("en-US")} events in 4 other workspaces. Generated in SQL in ${(r.generateMs / 1000).toFixed(0)} s; rollups built by \`rebuildAnalytics\` (the CLI's \`analytics rebuild\`) in ${(r.rebuildMs / 1000).toFixed(1)} s (${r.rollupRows.toLocaleString("en-US")} rollup rows). API = \`getDeliverability\` in-process (rollups ∪ pending deltas, current + previous period, grouped by provider), ${ITERATIONS} calls per range; plain = one aggregate over \`message_recipients\` + \`events\` computing the same figures, ${BASELINE_ITERATIONS} runs. The 90-day totals of both are checked equal.`,
    "",
    "| range | API p50 | API p95 (target ≤ 50 ms) | API p95, by day | plain aggregate p50 | plain p95 | API p95 ÷ plain p50 (target ≤ 0.15) |",
    "|---|---|---|---|---|---|---|",
    ...r.ranges.map(
      (x) =>
        `| ${x.days} d | ${x.apiP50.toFixed(1)} ms | ${x.apiP95.toFixed(1)} ms ${x.apiP95 <= 50 ? "✓" : "✗"} | ${x.dayP95.toFixed(1)} ms | ${x.plainP50.toFixed(0)} ms | ${x.plainP95.toFixed(0)} ms | ${(x.apiP95 / x.plainP50).toFixed(4)} ${x.apiP95 / x.plainP50 <= 0.15 ? "✓" : "✗"} |`,
    ),
    END,
  ];
  return lines.join("\n");
}

export function writeAnalyticsSection(file: string, r: AnalyticsBenchResult): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n";
  const md = analyticsMarkdown(r);
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  fs.writeFileSync(file, a >= 0 && b > a ? text.slice(0, a) + md + text.slice(b + END.length) : `${text.trimEnd()}\n\n${md}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runAnalyticsBench()
    .then((r) => {
      writeAnalyticsSection(path.join(ROOT, "BENCHMARKS.md"), r);
      console.log(analyticsMarkdown(r));
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
