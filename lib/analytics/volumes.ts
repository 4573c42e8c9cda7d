import { sql } from "drizzle-orm";
import type { Database } from "@/db";
import type { EmailType, ProviderKind } from "../providers/provider-kind";
import { parsePgTimestamptz } from "@/db/schema/columns";
import { rollupSource } from "./rollup-sql";

export interface HourlyVolume {
  hour: Date;
  provider: ProviderKind;
  type: EmailType;
  sent: number;
  delivered: number;
}

/**
 * Recipients each provider accepted (and delivered) per hour and email type in [from, to), from the rollups — the
 * volumes the cost model bills. Cohort attribution: a recipient counts in the hour a provider accepted it.
 */
export async function sentVolumes(database: Database, workspaceId: string, from: Date, to: Date): Promise<HourlyVolume[]> {
  const rows = await database.query<{ hour: string; provider: ProviderKind; type: EmailType; sent: number; delivered: number }>(sql`
    select hour::text as hour, provider, type, sum(sent)::int as sent, sum(delivered)::int as delivered
      from ${rollupSource({ workspaceId, dim: "", from, to })} s
     where provider <> ''
     group by 1, 2, 3
    having sum(sent) <> 0 or sum(delivered) <> 0
     order by 1, 2, 3`);
  return rows.map((r) => ({ hour: parsePgTimestamptz(r.hour), provider: r.provider, type: r.type, sent: Number(r.sent), delivered: Number(r.delivered) }));
}
