import path from "node:path";
import { EventEmitter } from "node:events";
import { sql } from "drizzle-orm";
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";
import { acquireDataDirLock } from "./pglite-lock";

export type AppDb = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction or the database: service functions accept either. */
export type DbOrTx = Parameters<Parameters<AppDb["transaction"]>[0]>[0] | AppDb;

export interface Database {
  db: AppDb;
  kind: "pglite" | "postgres";
  /** The PostgreSQL URL (absent on PGlite). */
  url?: string;
  /** Rows of a raw SQL statement, whatever the driver's result shape. */
  query<T = Record<string, unknown>>(statement: ReturnType<typeof sql>): Promise<T[]>;
  /** Wake-up signal: LISTEN/NOTIFY on PostgreSQL (crosses processes), an in-process emitter on PGlite. */
  notify(channel: string): Promise<void>;
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; when absent, embedded PGlite. */
  url?: string;
  /** PGlite data directory; when absent (and no url), an in-memory database. */
  dataDir?: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options.maxConnections ?? 10) : openPglite(options.dataDir);
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(url, { max, onnotice: () => {}, connection: { application_name: "penguinmails" } });
  const db = drizzle(client, { schema }) as unknown as AppDb;
  const dialect = new PgDialect();
  return {
    db,
    kind: "postgres",
    url,
    async query<T>(statement: ReturnType<typeof sql>) {
      // Named prepared statements (postgres.js caches them per connection by query text): the hot paths' statements
      // are multi-CTE and would otherwise be parsed and planned on every call. Drizzle's execute() sends them
      // unprepared.
      const { sql: text, params } = dialect.sqlToQuery(statement);
      return (await client.unsafe(text, params as never[], { prepare: true })) as unknown as T[];
    },
    async notify(channel) {
      await client.notify(channel, "");
    },
    async listen(channel, onNotify) {
      const sub = await client.listen(channel, () => onNotify());
      return () => sub.unlisten();
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const release = dataDir ? acquireDataDirLock(path.resolve(dataDir)) : () => {};
  let client: InstanceType<typeof PGlite>;
  try {
    client = dataDir ? await PGlite.create(path.resolve(dataDir, "pglite")) : await PGlite.create();
  } catch (e) {
    release();
    throw e;
  }
  const db = drizzle(client, { schema }) as unknown as AppDb;
  const emitter = new EventEmitter();
  emitter.setMaxListeners(100);
  return {
    db,
    kind: "pglite",
    async query<T>(statement: ReturnType<typeof sql>) {
      const result = (await db.execute(statement)) as unknown as { rows: T[] };
      return result.rows;
    },
    async notify(channel) {
      emitter.emit(channel);
    },
    async listen(channel, onNotify) {
      emitter.on(channel, onNotify);
      return async () => void emitter.off(channel, onNotify);
    },
    async close() {
      await client.close();
      release();
    },
  };
}

export { schema, sql };
