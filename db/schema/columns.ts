import { timestamp } from "drizzle-orm/pg-core";

/** Timestamps are timestamptz, returned as Date; ISO-8601 UTC on the wire. */
export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
