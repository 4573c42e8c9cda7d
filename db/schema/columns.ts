import { sql } from "drizzle-orm";
import { customType } from "drizzle-orm/pg-core";

/**
 * PostgreSQL's text form of a timestamptz (`0001-01-01 00:00:00+00`, `2026-11-30 01:24:43.582+05:30`) as a Date.
 * drizzle's own timestamp column hands that text to `new Date()`, whose legacy (non-ISO) parsing reads years below 100
 * as 19xx/20xx — `0001-01-01` came back as `2001-01-01`. Rewritten to ISO 8601 first, every year 0001–9999 reads back
 * as stored.
 */
export function parsePgTimestamptz(value: string | Date): Date {
  if (value instanceof Date) return value;
  const iso = value
    .replace(" ", "T")
    .replace(/([+-]\d{2})$/, "$1:00")
    .replace(/([+-]\d{2}):?(\d{2}):(\d{2})$/, "$1:$2"); // second-level offsets (pre-1900 local mean time) → minutes
  return new Date(iso);
}

/** timestamptz, returned as Date; written as ISO-8601 UTC. */
const timestamptz = customType<{ data: Date; driverData: string }>({
  dataType: () => "timestamp with time zone",
  fromDriver: parsePgTimestamptz,
  toDriver: (value) => value.toISOString(),
});

export const createdAt = () => timestamptz("created_at").notNull().default(sql`now()`);
export const tstz = (name: string) => timestamptz(name);
