/**
 * What the analytics triggers cost webhook ingest (issue 14: "webhook ingest within 10 % of before"), isolated:
 * `npx tsx bench/analytics/ingest-cost.ts`. On a fresh PostgreSQL database, the product's ingest (`ingestEvents`, the
 * one-statement fast path a delivery/open with our ids takes) stores delivered + opened events for sent recipients,
 * 20 in flight, with the analytics triggers on and off (ALTER TABLE … DISABLE TRIGGER), alternating, best of each.
 * The HTTP and framework layers are the same in both, so this is the whole difference the change makes.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "../../db/client";
import { migrateDatabase } from "../../db/migrate";
import { ingestEvents } from "../../lib/events/ingest-event";
import type { NormalizedEvent } from "../../lib/providers/normalized-event";

const PER_RUN = Number(process.env.BENCH_INGEST_EVENTS ?? 6000);
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 20);

async function seed(database: Database, ws: string, tag: string, n: number) {
  const messageId = `msg_${tag}`;
  await database.query(sql`insert into messages (id, workspace_id, type, from_address, subject) values (${messageId}, ${ws}, 'transactional', 'a@b.example', 's')`);
  await database.query(sql`
    insert into message_recipients (id, workspace_id, message_id, email, status, chain, provider, provider_message_id, sent_at)
    select 'rcp_' || ${tag} || '_' || i, ${ws}, ${messageId}, 'u' || i || '@gmail.com', 'sent', '["postmark"]', 'postmark', 'pm-' || ${tag} || i, now()
      from generate_series(0, ${n - 1}) i`);
  return { messageId, ids: Array.from({ length: n }, (_, i) => `rcp_${tag}_${i}`) };
}

async function run(database: Database, ws: string, tag: string): Promise<number> {
  const recipients = PER_RUN / 2;
  const { messageId, ids } = await seed(database, ws, tag, recipients);
  // All deliveries, then all opens: a recipient's delivery and open arrive seconds apart in life, never in the same
  // instant (in flight together they would queue on the recipient's row lock, which no real traffic does).
  const events: NormalizedEvent[] = (["delivered", "opened"] as const).flatMap((type) =>
    ids.map((id, i) => ({
      provider: "postmark" as const, type, occurredAt: new Date(), recipient: `u${i}@gmail.com`, ourRecipientId: id, ourMessageId: messageId,
      dedupKey: `${tag}:${type}:${i}`, details: {}, raw: { RecordType: type },
    })),
  );
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < events.length) {
        const e = events[next++]!;
        await ingestEvents(database, ws, "postmark", [e]);
      }
    }),
  );
  return events.length / ((performance.now() - start) / 1000);
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const name = `pm_bench_ingest_${randomBytes(4).toString("hex")}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString(), maxConnections: IN_FLIGHT });
try {
  await migrateDatabase(database);
  await database.query(sql`insert into workspaces (id, name, hook_id) values ('ws1', 'ws1', 'h1')`);
  if (process.env.BENCH_FILLFACTOR) await database.query(sql.raw(`alter table message_recipients set (fillfactor = ${Number(process.env.BENCH_FILLFACTOR)})`));
  const results: Record<"on" | "off", number[]> = { on: [], off: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ["on", "off"] as const) {
      const action = mode === "on" ? "enable" : "disable";
      await database.query(sql.raw(`alter table message_recipients ${action} trigger pm_analytics_recipients_updated`));
      await database.query(sql.raw(`alter table events ${action} trigger pm_analytics_event_stored`));
      const rate = await run(database, "ws1", `${mode}${round}`);
      results[mode].push(rate);
      console.error(`[ingest-cost] round ${round + 1} triggers ${mode}: ${rate.toFixed(0)} events/s`);
    }
  }
  // The dispatcher's side: the outcome write of a 1,000-recipient round (sending → sent), the statement shape of
  // dispatch-round.ts's recipientsUpdate, with the triggers on and off.
  const writes: Record<"on" | "off", number[]> = { on: [], off: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ["on", "off"] as const) {
      const action = mode === "on" ? "enable" : "disable";
      await database.query(sql.raw(`alter table message_recipients ${action} trigger pm_analytics_recipients_updated`));
      const tag = `w${mode}${round}`;
      const { ids } = await seed(database, "ws1", tag, 1000);
      await database.query(sql`update message_recipients set status = 'sending', sent_at = null, locked_by = ${tag} where message_id = ${`msg_${tag}`}`);
      const updates = ids.map((id, i) => ({ id, status: "sent", provider: "postmark", provider_message_id: `pm-x-${tag}-${i}`, sent_at: new Date().toISOString() }));
      const t0 = performance.now();
      await database.query(sql`
        update message_recipients r set status = case when r.status = 'sending' then v.status else r.status end,
               provider = coalesce(v.provider, r.provider), provider_message_id = coalesce(v.provider_message_id, r.provider_message_id),
               sent_at = coalesce(r.sent_at, v.sent_at), locked_by = null, locked_until = null, updated_at = now()
          from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(id text, status text, provider text, provider_message_id text, sent_at timestamptz)
         where r.id = v.id and r.locked_by = ${tag}`);
      writes[mode].push(performance.now() - t0);
      console.error(`[ingest-cost] outcome write of 1,000 rows, triggers ${mode}: ${(performance.now() - t0).toFixed(1)} ms`);
    }
  }
  const best = (xs: number[]) => Math.max(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    JSON.stringify({ events_per_run: PER_RUN, in_flight: IN_FLIGHT, on: results.on.map(Math.round), off: results.off.map(Math.round), best_ratio: +(best(results.on) / best(results.off)).toFixed(3), median_ratio: +(median(results.on) / median(results.off)).toFixed(3), outcome_write_ms: { on: writes.on.map((x) => +x.toFixed(1)), off: writes.off.map((x) => +x.toFixed(1)) } }),
  );
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end({ timeout: 5 });
}
