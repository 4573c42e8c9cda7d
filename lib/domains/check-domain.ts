import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { domainDkimKeys, domainStatusChanges, providerConfigs, sendingDomains } from "@/db/schema";
import type { Database } from "@/db";
import { env } from "../config/env";
import { loggableError, logger } from "../logger";
import type { DomainDeclarations, DomainRequirements, RequiredRecord } from "../providers/domain-records";
import { adapterConfig } from "../providers/provider-configs";
import { providerModule } from "../providers/registry";
import type { ProviderKind } from "../providers/provider-kind";
import { checkRequiredRecord } from "./check-record";
import { buildChecklist, dkimRecordsOf, spfRecordsOf } from "./checklist";
import { checkDmarc, isAligned, organizationalDomain } from "./dmarc";
import { createDnsLookup, parseDnsServers, type DnsLookup } from "./dns-lookup";
import type { DomainCheckResult, DomainStatus, ProviderCheck, RecordCheck } from "./domain-types";
import { evaluateSpf } from "./spf";

export type DomainRow = typeof sendingDomains.$inferSelect;

/** Unverified domains are checked every 15 minutes, verified ones daily; ±10% so checks spread out over time. */
export const RECHECK_UNVERIFIED_MS = 15 * 60_000;
export const RECHECK_VERIFIED_MS = 24 * 3_600_000;

export function nextCheckTime(status: DomainStatus, now: Date, random = Math.random()): Date {
  const interval = status === "verified" ? RECHECK_VERIFIED_MS : RECHECK_UNVERIFIED_MS;
  return new Date(now.getTime() + interval * (0.9 + 0.2 * random));
}

export function dnsLookupFromEnv(): DnsLookup {
  const e = env();
  return createDnsLookup({ servers: parseDnsServers(e.DNS_SERVERS), timeoutMs: e.DNS_TIMEOUT_MS });
}

interface ConnectedProvider {
  kind: ProviderKind;
  config: unknown;
  settings: Record<string, unknown>;
}

async function connectedProviders(database: Database, workspaceId: string): Promise<ConnectedProvider[]> {
  const rows = await database.db.select().from(providerConfigs).where(eq(providerConfigs.workspaceId, workspaceId));
  const connected: ConnectedProvider[] = [];
  for (const row of rows) {
    try {
      connected.push({ kind: row.kind, config: adapterConfig(row), settings: row.settings });
    } catch (err) {
      logger.warn("domain check: provider settings unreadable", { provider: row.kind, error: loggableError(err) });
    }
  }
  return connected;
}

/** The domains each connected provider reports sending from (an ESP that cannot be reached reports none now). */
export async function discoverProviderDomains(database: Database, workspaceId: string): Promise<string[]> {
  const found = new Set<string>();
  for (const p of await connectedProviders(database, workspaceId)) {
    const domains = providerModule(p.kind).domains;
    if (!domains) continue;
    try {
      for (const d of await domains.discover(p.config)) found.add(d);
    } catch (err) {
      logger.warn("domain discovery failed", { provider: p.kind, error: loggableError(err) });
    }
  }
  return [...found];
}

const recordKey = (r: Pick<RecordCheck, "provider" | "label" | "name">) => `${r.provider ?? "domain"} ${r.label} ${r.name ?? "(unknown host)"}`;

async function checkRecords(lookup: DnsLookup, provider: ProviderKind, records: RequiredRecord[], now: Date): Promise<RecordCheck[]> {
  return Promise.all(
    records.map(async (r) => {
      const outcome = await checkRequiredRecord(lookup, r);
      return {
        provider,
        kind: r.kind,
        label: r.label,
        name: r.name,
        type: r.type,
        expected: r.value,
        found: outcome.found,
        status: outcome.status,
        detail: outcome.detail,
        source: r.source,
        esp_status: r.espStatus ?? null,
        optional: Boolean(r.optional),
        checked_at: now.toISOString(),
        status_since: now.toISOString(),
      } satisfies RecordCheck;
    }),
  );
}

/**
 * One provider on one domain: the records its module says are needed, checked against DNS. Where DNS already shows a
 * record the ESP still calls pending, the ESP is asked to verify again (Postmark verifyDKIM / verifyReturnPath,
 * Mailgun verify) and its fresh verdict read back.
 */
async function checkProvider(lookup: DnsLookup, p: ConnectedProvider, domain: string, declared: DomainDeclarations, now: Date): Promise<ProviderCheck | null> {
  const domains = providerModule(p.kind).domains;
  if (!domains) return null;
  let requirements: DomainRequirements | null;
  try {
    requirements = await domains.requirements(p.config, domain, declared);
  } catch (err) {
    logger.warn("domain check: the ESP did not answer", { provider: p.kind, error: loggableError(err) });
    if (!declared.claimed) return null;
    return { provider: p.kind, esp_state: null, esp_error: "the provider's API could not be reached; its records are unknown", envelope_domain: null, dkim_domain: null, records: [], aligned: { dkim: false, spf: false } };
  }
  if (!requirements) return null;
  let records = await checkRecords(lookup, p.kind, requirements.records, now);
  const stale = records.some((r) => r.status === "ok" && r.esp_status !== null && r.esp_status !== "verified");
  if (stale && domains.requestVerification) {
    try {
      await domains.requestVerification(p.config, domain);
      const fresh = await domains.requirements(p.config, domain, declared);
      if (fresh) {
        requirements = fresh;
        records = await checkRecords(lookup, p.kind, fresh.records, now);
      }
    } catch (err) {
      logger.warn("domain check: asking the ESP to verify failed", { provider: p.kind, error: loggableError(err) });
    }
  }
  return { provider: p.kind, esp_state: requirements.espState ?? null, esp_error: null, envelope_domain: requirements.envelopeDomain, dkim_domain: requirements.dkimDomain, records, aligned: { dkim: false, spf: false } };
}

function domainStatus(result: DomainCheckResult): DomainStatus {
  const required = result.providers.flatMap((p) => p.records.filter((r) => !r.optional).map((r) => r.status));
  const statuses = [...required, result.dmarc.status, ...(result.spf.status === "mismatch" ? ["mismatch" as const] : [])];
  if (statuses.some((s) => s === "missing" || s === "mismatch")) return "action_needed";
  if (result.providers.length === 0 || result.providers.some((p) => p.esp_error) || statuses.some((s) => s === "unknown")) return "unknown";
  return "verified";
}

/**
 * Checks one domain now (DNS through `lookup`, the ESPs through their modules), stores the result, records every
 * status change with its time, and schedules the next check. Never throws for DNS trouble: that is `unknown`.
 */
export async function runDomainCheck(database: Database, row: DomainRow, options: { lookup?: DnsLookup; now?: Date } = {}): Promise<DomainRow> {
  const lookup = options.lookup ?? dnsLookupFromEnv();
  const now = options.now ?? new Date();
  const domain = row.name;
  const [providers, keys] = await Promise.all([
    connectedProviders(database, row.workspaceId),
    database.db.select().from(domainDkimKeys).where(and(eq(domainDkimKeys.workspaceId, row.workspaceId), eq(domainDkimKeys.domain, domain))),
  ]);
  const checks = await Promise.all(
    providers.map((p) =>
      checkProvider(
        lookup,
        p,
        domain,
        {
          claimed: row.claimedProviders.includes(p.kind),
          spfMechanism: row.smtpSpfMechanism,
          returnPath: row.smtpReturnPath,
          generatedDkimKeys: keys.map((k) => ({ selector: k.selector, publicKey: k.publicRecord })),
        },
        now,
      ),
    ),
  );
  const providerChecks = checks.filter((c): c is ProviderCheck => c !== null);
  const [spfEval, dmarc] = await Promise.all([evaluateSpf(lookup, domain), checkDmarc(lookup, domain)]);
  for (const p of providerChecks) {
    const dkimOk = dkimRecordsOf(p).some((r) => r.status === "ok");
    const spfOk = spfRecordsOf(p).some((r) => r.status === "ok");
    p.aligned = { dkim: dkimOk && isAligned(p.dkim_domain, domain, dmarc.alignment.dkim), spf: spfOk && isAligned(p.envelope_domain, domain, dmarc.alignment.spf) };
  }
  const spf = { name: domain, records: spfEval.records, status: spfEval.status, lookups: spfEval.lookups, detail: spfEval.detail };
  const unsubscribeByEsp = Object.fromEntries(providers.map((p) => [p.kind, providerModule(p.kind).handlesUnsubscribe(p.settings)]));
  const result: DomainCheckResult = {
    organizational_domain: organizationalDomain(domain),
    providers: providerChecks,
    spf,
    dmarc,
    checklist: buildChecklist({ domain, providers: providerChecks, spf, dmarc, unsubscribeByEsp }),
  };
  const status = domainStatus(result);
  const changes = statusChanges(row, result, status);
  const [updated] = await database.db.transaction(async (tx) => {
    if (changes.length) await tx.insert(domainStatusChanges).values(changes.map((c) => ({ id: randomUUID(), workspaceId: row.workspaceId, domainId: row.id, ...c, changedAt: now })));
    return tx
      .update(sendingDomains)
      .set({
        result,
        status,
        statusChangedAt: status !== row.status ? now : row.statusChangedAt,
        lastCheckedAt: now,
        nextCheckAt: nextCheckTime(status, now),
      })
      .where(and(eq(sendingDomains.id, row.id), eq(sendingDomains.workspaceId, row.workspaceId)))
      .returning();
  });
  return updated ?? row;
}

/** Changes against the previous check (records keep `status_since` while their status stays). */
function statusChanges(row: DomainRow, result: DomainCheckResult, status: DomainStatus) {
  const changes: Array<{ subject: string; fromStatus: string | null; toStatus: string }> = [];
  if (status !== row.status) changes.push({ subject: "domain", fromStatus: row.status, toStatus: status });
  const previous = new Map<string, RecordCheck>();
  for (const p of row.result?.providers ?? []) for (const r of p.records) previous.set(recordKey(r), r);
  const prevDmarc = row.result?.dmarc;
  for (const p of result.providers) {
    for (const r of p.records) {
      const before = previous.get(recordKey(r));
      if (before && before.status === r.status) r.status_since = before.status_since;
      else if (before) changes.push({ subject: `${p.provider} ${r.label} ${r.name ?? ""}`.trim(), fromStatus: before.status, toStatus: r.status });
    }
  }
  if (prevDmarc && prevDmarc.status !== result.dmarc.status) changes.push({ subject: `DMARC ${result.dmarc.name}`, fromStatus: prevDmarc.status, toStatus: result.dmarc.status });
  return changes;
}
