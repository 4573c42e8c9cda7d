import { sql, type SQL } from "drizzle-orm";
import { suppressions } from "@/db/schema";

/**
 * The one rule for "is this address suppressed": an entry for the workspace and the lower-cased address that has
 * not expired at `at`. Used when a send is accepted (lib/sending/send-email.ts, inside its one-statement insert),
 * when a recipient is claimed (lib/sending/dispatch-round.ts) and by `isSuppressed`, so the three can never disagree.
 */
export function suppressionIsActive(at: Date | SQL): SQL {
  const time = at instanceof Date ? sql`${at.toISOString()}::timestamptz` : at;
  return sql`(${suppressions.expiresAt} is null or ${suppressions.expiresAt} > ${time})`;
}

/** A boolean SQL expression: `email` (an SQL expression, lower-cased) is suppressed in `workspaceId` at `at`. */
export function isSuppressedSql(workspaceId: string | SQL, email: SQL, at: Date | SQL): SQL {
  return sql`exists (select 1 from ${suppressions} where ${suppressions.workspaceId} = ${workspaceId} and ${suppressions.email} = ${email} and ${suppressionIsActive(at)})`;
}
