import { getDomain } from "tldts";
import type { DnsLookup } from "./dns-lookup";
import type { DmarcCheck } from "./domain-types";

/**
 * DMARC (RFC 7489): the policy record is looked up at `_dmarc.<From domain>`, then at `_dmarc.<organizational
 * domain>` (§6.6.3) — the registrable domain by the Public Suffix List (tldts, kept current with the list; private
 * suffixes included, as receivers use the whole list). A message passes when SPF or DKIM passes for a domain aligned
 * with the From domain: the same organizational domain (relaxed, the default) or the same name (strict).
 */
export function organizationalDomain(domain: string): string {
  return getDomain(domain, { allowPrivateDomains: true }) ?? domain;
}

export function isAligned(authDomain: string | null, fromDomain: string, mode: "relaxed" | "strict"): boolean {
  if (!authDomain) return false;
  const a = authDomain.toLowerCase();
  const f = fromDomain.toLowerCase();
  return mode === "strict" ? a === f : organizationalDomain(a) === organizationalDomain(f);
}

const POLICIES = new Set(["none", "quarantine", "reject"]);

function tags(record: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of record.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) map.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return map;
}

const isDmarc = (value: string) => /^v\s*=\s*DMARC1\s*(;|$)/i.test(value.trim());

export async function checkDmarc(lookup: DnsLookup, domain: string): Promise<DmarcCheck> {
  const org = organizationalDomain(domain);
  const defaults = { policy: null, subdomain_policy: null, alignment: { dkim: "relaxed" as const, spf: "relaxed" as const } };
  let name = `_dmarc.${domain}`;
  let answer = await lookup.txt(name);
  let atOrg = false;
  if (answer.status === "none" || (answer.status === "found" && !answer.values.some(isDmarc))) {
    if (org !== domain) {
      name = `_dmarc.${org}`;
      answer = await lookup.txt(name);
      atOrg = true;
    }
  }
  if (answer.status === "unknown") return { ...defaults, name, record: null, status: "unknown", detail: `DMARC lookup ${answer.reason}` };
  const records = answer.status === "found" ? answer.values.filter(isDmarc) : [];
  if (records.length === 0) {
    return { ...defaults, name: `_dmarc.${org}`, record: null, status: "missing", detail: `no DMARC record at _dmarc.${domain}${org !== domain ? ` or _dmarc.${org}` : ""}` };
  }
  if (records.length > 1) return { ...defaults, name, record: records.join(" | "), status: "mismatch", detail: `${records.length} DMARC records at ${name}: receivers then apply none (RFC 7489 §6.6.3)` };
  const record = records[0]!;
  const t = tags(record);
  const p = t.get("p")?.toLowerCase() ?? null;
  const sp = t.get("sp")?.toLowerCase() ?? null;
  const alignment = { dkim: t.get("adkim")?.toLowerCase() === "s" ? ("strict" as const) : ("relaxed" as const), spf: t.get("aspf")?.toLowerCase() === "s" ? ("strict" as const) : ("relaxed" as const) };
  if (!p || !POLICIES.has(p)) {
    return { name, record, status: "mismatch", policy: p, subdomain_policy: sp, alignment, detail: "the record has no valid policy (p=none, quarantine or reject)" };
  }
  // Found at the organizational domain for a subdomain: the subdomain policy applies (sp=, else p=).
  const applied = atOrg ? (sp && POLICIES.has(sp) ? sp : p) : p;
  return { name, record, status: "ok", policy: applied, subdomain_policy: sp, alignment, detail: applied === "none" ? "policy none: monitoring only (enough for Gmail and Yahoo; quarantine or reject protects the domain)" : null };
}
