import { sql } from "drizzle-orm";
import { getDatabase } from "@/db";

export const dynamic = "force-dynamic";

/** Liveness and database status, without auth: 200 when the database answers, 503 otherwise. */
export async function GET() {
  const started = performance.now();
  try {
    const database = await getDatabase();
    await database.query(sql`select 1`);
    return Response.json({ status: "ok", database: { status: "ok", kind: database.kind, latency_ms: Math.round(performance.now() - started) } });
  } catch {
    return Response.json({ status: "degraded", database: { status: "unavailable" } }, { status: 503 });
  }
}
