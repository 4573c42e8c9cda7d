import type { RequiredRecord } from "../providers/domain-records";
import type { DnsLookup } from "./dns-lookup";
import type { RecordCheckStatus } from "./domain-types";
import { evaluateSpf, spfAuthorizes, SPF_LOOKUP_LIMIT } from "./spf";

export interface RecordOutcome {
  status: RecordCheckStatus;
  found: string[];
  detail: string | null;
}

/** A DKIM key record's public key (`p=`), whitespace removed (a long key is often published in quoted pieces). */
export function dkimPublicKey(value: string): string | null {
  const match = /(?:^|;)\s*p\s*=\s*([^;]*)/i.exec(value);
  return match ? match[1]!.replace(/\s+/g, "") : null;
}

const compact = (v: string) => v.replace(/\s+/g, "").replace(/;$/, "").toLowerCase();

/** One required record against DNS: ok, missing (no such name or record), mismatch (another value), or unknown. */
export async function checkRequiredRecord(lookup: DnsLookup, record: RequiredRecord): Promise<RecordOutcome> {
  if (!record.name) return { status: "unknown", found: [], detail: `cannot be checked: ${record.value}` };
  if (record.kind === "spf") {
    const spf = await evaluateSpf(lookup, record.name);
    if (spf.status === "missing" || spf.status === "unknown") return { status: spf.status, found: spf.records, detail: spf.detail };
    if (spf.records.length > 1) return { status: "mismatch", found: spf.records, detail: spf.detail };
    if (!spfAuthorizes(spf, record.value)) {
      return spf.incomplete
        ? { status: "unknown", found: spf.records, detail: `${record.value} not found yet; a nested include could not be read` }
        : { status: "mismatch", found: spf.records, detail: `the SPF record does not contain ${record.value}` };
    }
    if ((spf.lookups ?? 0) > SPF_LOOKUP_LIMIT) return { status: "mismatch", found: spf.records, detail: spf.detail };
    return { status: "ok", found: spf.records, detail: null };
  }
  if (record.type === "TXT") {
    const answer = await lookup.txt(record.name);
    if (answer.status === "unknown") return { status: "unknown", found: [], detail: `lookup ${answer.reason}` };
    if (answer.status === "none") return { status: "missing", found: [], detail: answer.reason === "NXDOMAIN" ? `${record.name} does not exist` : `no TXT record at ${record.name}` };
    const expectedKey = record.kind === "dkim" ? dkimPublicKey(record.value) : null;
    const matches = answer.values.some((v) => (expectedKey ? dkimPublicKey(v) === expectedKey : compact(v) === compact(record.value)));
    if (matches) return { status: "ok", found: answer.values, detail: null };
    return { status: "mismatch", found: answer.values, detail: expectedKey ? "a different DKIM public key is published" : "a different value is published" };
  }
  const answer = record.type === "CNAME" ? await lookup.cname(record.name) : await lookup.mx(record.name);
  if (answer.status === "unknown") return { status: "unknown", found: [], detail: `lookup ${answer.reason}` };
  if (answer.status === "none") return { status: "missing", found: [], detail: answer.reason === "NXDOMAIN" ? `${record.name} does not exist` : `no ${record.type} record at ${record.name}` };
  const expected = record.value.toLowerCase().replace(/\.$/, "");
  if (answer.values.includes(expected)) return { status: "ok", found: answer.values, detail: null };
  return { status: "mismatch", found: answer.values, detail: `${record.type} points elsewhere` };
}
