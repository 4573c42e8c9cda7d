import { sql, type SQL } from "drizzle-orm";
import { suppressions } from "@/db/schema";

/**
 * The one rule for "is this address suppressed": an entry for the workspace and the lower-cased address that has
 * not expired at `at`. Used when a send is accepted (lib/sending/send-email.ts, inside its one-statement insert, through
 * `suppressedAmongSql`), when a recipient is claimed (lib/sending/dispatch-round.ts) and by `isSuppressed`, so the
 * three can never disagree.
 */
export function suppressionIsActive(at: Date | SQL): SQL {
  const time = at instanceof Date ? sql`${at.toISOString()}::timestamptz` : at;
  return sql`(${suppressions.expiresAt} is null or ${suppressions.expiresAt} > ${time})`;
}

/**
 * A `text[]` SQL expression: which of `emails` (an SQL `text[]` expression, lower-cased) are suppressed in
 * `workspaceId` at `at` — never null (`{}` when none). One probe of the (workspace_id, email) primary key per address,
 * so its cost follows the request's addresses, not the size of the workspace's suppression list.
 */
export function suppressedAmongSql(workspaceId: string | SQL, emails: SQL, at: Date | SQL): SQL {
  return sql`(select coalesce(array_agg(${suppressions.email}), '{}') from ${suppressions} where ${suppressions.workspaceId} = ${workspaceId} and ${suppressions.email} = any(${emails}) and ${suppressionIsActive(at)})`;
}
