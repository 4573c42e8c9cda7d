import { and, eq, inArray } from "drizzle-orm";
import type { Database, DbOrTx } from "@/db";
import { suppressions } from "@/db/schema";
import { suppressionIsActive } from "./suppression-rule";

/**
 * Which of `emails` are suppressed in the workspace, lower-cased, in one query. The send pipeline calls it at accept
 * time and again when it claims a recipient (design.md "Recipient lifecycle"), so an address suppressed in between
 * is never sent to. Inside a transaction, call `isSuppressedIn(tx, …)` instead.
 */
export async function isSuppressed(database: Database, workspaceId: string, emails: string[]): Promise<Set<string>> {
  return isSuppressedIn(database.db, workspaceId, emails);
}

export async function isSuppressedIn(db: DbOrTx, workspaceId: string, emails: string[], at = new Date()): Promise<Set<string>> {
  const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter((e) => e !== ""))];
  if (wanted.length === 0) return new Set();
  const rows = await db
    .select({ email: suppressions.email })
    .from(suppressions)
    .where(
      and(
        eq(suppressions.workspaceId, workspaceId),
        inArray(suppressions.email, wanted),
        suppressionIsActive(at),
      ),
    );
  return new Set(rows.map((r) => r.email));
}
