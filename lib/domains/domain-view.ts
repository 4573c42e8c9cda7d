import { and, desc, eq, inArray } from "drizzle-orm";
import { domainDkimKeys, domainStatusChanges } from "@/db/schema";
import type { Database } from "@/db";
import type { ProviderKind } from "../providers/provider-kind";
import type { DomainRow } from "./check-domain";
import type { DomainView } from "./domain-types";
import { complaintRateItem } from "./checklist";
import { sendingDomainFigures } from "../analytics/alerts";

const HISTORY = 20;

/** Rows → API views, with each domain's latest status changes and its generated DKIM keys (public facts only). */
export async function domainViews(database: Database, workspaceId: string, rows: DomainRow[]): Promise<DomainView[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [changes, keys, complaints] = await Promise.all([
    database.db
      .select()
      .from(domainStatusChanges)
      .where(and(eq(domainStatusChanges.workspaceId, workspaceId), inArray(domainStatusChanges.domainId, ids)))
      .orderBy(desc(domainStatusChanges.changedAt))
      .limit(HISTORY * rows.length),
    database.db
      .select({ domain: domainDkimKeys.domain, selector: domainDkimKeys.selector, createdAt: domainDkimKeys.createdAt })
      .from(domainDkimKeys)
      .where(and(eq(domainDkimKeys.workspaceId, workspaceId), inArray(domainDkimKeys.domain, rows.map((r) => r.name)))),
    sendingDomainFigures(database, workspaceId),
  ]);
  return rows.map((row) => {
    const providers = new Set<ProviderKind>([...(row.result?.providers.map((p) => p.provider) ?? []), ...row.claimedProviders]);
    return {
      domain: row.name,
      source: row.addedManually ? "added" : "discovered",
      providers: [...providers],
      status: row.status,
      status_changed_at: row.statusChangedAt?.toISOString() ?? null,
      checked_at: row.lastCheckedAt?.toISOString() ?? null,
      next_check_at: row.nextCheckAt.toISOString(),
      smtp: {
        spf_mechanism: row.smtpSpfMechanism,
        return_path: row.smtpReturnPath,
        dkim_keys: keys.filter((k) => k.domain === row.name).map((k) => ({ selector: k.selector, created_at: k.createdAt.toISOString() })),
      },
      result: row.result && {
        ...row.result,
        checklist: row.result.checklist.map((item) => (item.id === "complaint_rate" ? complaintRateItem(complaints.get(row.name.toLowerCase())) : item)),
      },
      history: changes
        .filter((c) => c.domainId === row.id)
        .slice(0, HISTORY)
        .map((c) => ({ subject: c.subject, from: c.fromStatus, to: c.toStatus, at: c.changedAt.toISOString() })),
    };
  });
}
