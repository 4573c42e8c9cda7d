import type { DnsLookup } from "./dns-lookup";
import type { RecordCheckStatus } from "./domain-types";

/**
 * SPF as receivers evaluate it (RFC 7208): a host has at most one `v=spf1` record (§4.5: two is a permerror), and
 * evaluating it may cause at most 10 DNS-querying terms — include, a, mx, ptr, exists, redirect — counted through
 * every nested include (§4.6.4: more is a permerror). No sender IP is at hand, so instead of a verdict this reads
 * which mechanisms the record reaches (to find an ESP's include anywhere in the tree) and counts the lookups.
 */
export const SPF_LOOKUP_LIMIT = 10;
const LOOKUP_TERMS = new Set(["include", "a", "mx", "ptr", "exists", "redirect"]);
const MAX_DEPTH = 10;

export interface SpfEvaluation {
  host: string;
  /** Every `v=spf1` TXT record at the host (more than one is an error). */
  records: string[];
  status: RecordCheckStatus;
  /** DNS-querying terms in the whole evaluation; null when the host has no single record. */
  lookups: number | null;
  /** Mechanisms reachable from the record with a pass qualifier (lower-case, qualifier removed), nested includes too. */
  reachable: Set<string>;
  /** Some nested include could not be read (timeout, SERVFAIL): what it holds is unknown. */
  incomplete: boolean;
  detail: string | null;
}

const isSpf = (value: string) => /^v=spf1(\s|$)/i.test(value.trim());

/** The terms of one record, each without its qualifier, with whether it passes (`+` or none). */
function terms(record: string): Array<{ term: string; name: string; arg: string | null; pass: boolean }> {
  return record
    .trim()
    .split(/\s+/)
    .slice(1)
    .filter(Boolean)
    .map((raw) => {
      const qualifier = /^[+\-~?]/.test(raw) ? raw[0] : "+";
      const term = (qualifier === raw[0] ? raw.slice(1) : raw).toLowerCase();
      const sep = /[:=]/.exec(term);
      const name = sep ? term.slice(0, sep.index) : term.split("/")[0]!;
      const arg = sep ? term.slice(sep.index + 1) : null;
      return { term, name, arg, pass: qualifier === "+" };
    });
}

export async function evaluateSpf(lookup: DnsLookup, host: string): Promise<SpfEvaluation> {
  const base = { host, reachable: new Set<string>(), incomplete: false };
  const answer = await lookup.txt(host);
  if (answer.status === "unknown") return { ...base, records: [], status: "unknown", lookups: null, detail: `SPF lookup ${answer.reason}` };
  const records = answer.status === "found" ? answer.values.filter(isSpf) : [];
  if (records.length === 0) return { ...base, records, status: "missing", lookups: null, detail: `no SPF record (v=spf1) at ${host}` };
  if (records.length > 1) {
    return { ...base, records, status: "mismatch", lookups: null, detail: `${records.length} SPF records at ${host}: receivers treat more than one as an error (RFC 7208 §4.5); merge them into one` };
  }
  let lookups = 0;
  const visited = new Set<string>();
  const walk = async (record: string, depth: number): Promise<void> => {
    for (const t of terms(record)) {
      if (LOOKUP_TERMS.has(t.name)) lookups += 1;
      if (t.pass && t.name !== "redirect") base.reachable.add(t.term);
      if (lookups > SPF_LOOKUP_LIMIT || depth >= MAX_DEPTH) continue;
      if ((t.name === "include" || t.name === "redirect") && t.arg && !visited.has(t.arg)) {
        visited.add(t.arg);
        const nested = await lookup.txt(t.arg);
        const nestedSpf = nested.status === "found" ? nested.values.filter(isSpf) : [];
        if (nested.status === "unknown") base.incomplete = true;
        else if (nestedSpf.length === 1) await walk(nestedSpf[0]!, depth + 1);
      }
    }
  };
  await walk(records[0]!, 0);
  if (lookups > SPF_LOOKUP_LIMIT) {
    return { ...base, records, status: "mismatch", lookups, detail: `${lookups} DNS lookups to evaluate, over the limit of ${SPF_LOOKUP_LIMIT} (RFC 7208 §4.6.4): flatten or remove includes` };
  }
  return { ...base, records, status: base.incomplete ? "unknown" : "ok", lookups, detail: base.incomplete ? "a nested include could not be read; the lookup count may be higher" : null };
}

/** Whether an evaluated record authorizes `mechanism` (`include:mailgun.org`, `ip4:203.0.113.5`) anywhere in its tree. */
export function spfAuthorizes(spf: SpfEvaluation, mechanism: string): boolean {
  return spf.reachable.has(mechanism.toLowerCase());
}
