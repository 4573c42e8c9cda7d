import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { suppressions, type SuppressionReason } from "@/db/schema";

export interface SuppressAddressInput {
  email: string;
  reason: SuppressionReason;
  sourceEventId?: string | null;
  note?: string | null;
}

/**
 * Adds an address to the workspace's suppression list, inside the caller's transaction. The first reason wins: a
 * complaint after a hard bounce keeps "hard_bounce" with its source event, so the list says why we first stopped.
 * An entry that has expired is the exception: it no longer suppresses, so a new fact replaces it.
 * Returns true when this call created (or renewed) the entry. An empty address is never suppressed.
 */
export async function suppressAddress(tx: DbOrTx, workspaceId: string, input: SuppressAddressInput): Promise<boolean> {
  const email = input.email.trim().toLowerCase();
  if (email === "") return false;
  const values = {
    workspaceId,
    email,
    reason: input.reason,
    sourceEventId: input.sourceEventId ?? null,
    note: input.note ?? null,
    createdAt: new Date(),
    expiresAt: null,
  };
  const rows = await tx
    .insert(suppressions)
    .values(values)
    .onConflictDoUpdate({
      target: [suppressions.workspaceId, suppressions.email],
      set: { reason: values.reason, sourceEventId: values.sourceEventId, note: values.note, createdAt: values.createdAt, expiresAt: null },
      setWhere: sql`${suppressions.expiresAt} is not null and ${suppressions.expiresAt} <= now()`,
    })
    .returning({ email: suppressions.email });
  return rows.length > 0;
}
