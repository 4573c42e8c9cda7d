import { providerConfigSpecs } from "../providers/config-registry";
import type { ProviderKind } from "../providers/provider-kind";
import { COMPLAINT_RISK, COMPLAINT_WARN, MIN_SENT_FOR_RATES } from "../analytics/thresholds";
import type { ChecklistItem, ChecklistStatus, DmarcCheck, ProviderCheck, RecordCheck, SpfCheck } from "./domain-types";

/**
 * The mailbox providers' sender requirements for one domain (Gmail and Yahoo since February 2024, Microsoft since
 * May 2025 with `550 5.7.515`): SPF and DKIM, a DMARC record that aligns with the From domain, one-click unsubscribe
 * on marketing mail (RFC 8058), and spam complaints under 0.1% (never 0.3%). Derived from the DNS checks and the
 * workspace's settings; each item passes, fails or is unknown, with a one-line fix.
 */
const label = (kind: ProviderKind) => providerConfigSpecs[kind].label;

function worst(statuses: RecordCheck["status"][]): ChecklistStatus {
  if (statuses.some((s) => s === "missing" || s === "mismatch")) return "fail";
  if (statuses.length === 0 || statuses.some((s) => s === "unknown")) return "unknown";
  return "pass";
}

const publish = (r: RecordCheck) => (r.name ? `Publish ${r.type} ${r.name} → ${r.expected}` : `Publish ${r.label}: ${r.expected}`);

/** The records that authorize a provider's envelope for SPF: its SPF mechanism, else its Return-Path CNAME. */
export function spfRecordsOf(p: ProviderCheck): RecordCheck[] {
  const spf = p.records.filter((r) => r.kind === "spf");
  return spf.length ? spf : p.records.filter((r) => r.kind === "return_path");
}

export const dkimRecordsOf = (p: ProviderCheck) => p.records.filter((r) => r.kind === "dkim");

function recordItem(id: "spf" | "dkim", title: string, providers: ProviderCheck[], pick: (p: ProviderCheck) => RecordCheck[], extra?: SpfCheck): ChecklistItem {
  if (providers.length === 0) return { id, label: title, status: "unknown", detail: "No connected provider sends for this domain yet.", fix: "Connect a provider that sends from it, or add it naming its providers." };
  const failing = providers.flatMap((p) => pick(p).filter((r) => r.status === "missing" || r.status === "mismatch").map((r) => ({ p, r })));
  if (extra && extra.status === "mismatch") return { id, label: title, status: "fail", detail: extra.detail ?? "The domain's SPF record is invalid.", fix: "Keep one SPF record with at most 10 DNS lookups." };
  const status = worst(providers.flatMap((p) => (pick(p).length ? pick(p).map((r) => r.status) : ["unknown" as const])));
  if (status === "fail") {
    const first = failing[0]!;
    return { id, label: title, status, detail: `${label(first.p.provider)}: ${first.r.label} is ${first.r.status}${first.r.detail ? ` (${first.r.detail})` : ""}.`, fix: publish(first.r) };
  }
  if (status === "unknown") {
    const unknown = providers.flatMap((p) => pick(p).filter((r) => r.status === "unknown"))[0];
    return { id, label: title, status, detail: unknown?.detail ? `Could not tell: ${unknown.detail}.` : "Could not tell yet.", fix: unknown?.name ? "Check again shortly." : "Give the provider's account access (e.g. a Postmark account token) so the exact record can be read." };
  }
  return { id, label: title, status, detail: `Every provider's ${id.toUpperCase()} record is published (${providers.map((p) => label(p.provider)).join(", ")}).`, fix: "" };
}

function dmarcItem(domain: string, dmarc: DmarcCheck, providers: ProviderCheck[]): ChecklistItem {
  const title = "DMARC, aligned with the From domain";
  if (dmarc.status === "unknown") return { id: "dmarc", label: title, status: "unknown", detail: `Could not tell: ${dmarc.detail ?? "lookup failed"}.`, fix: "Check again shortly." };
  if (dmarc.status === "missing") return { id: "dmarc", label: title, status: "fail", detail: dmarc.detail ?? "No DMARC record.", fix: `Publish TXT ${dmarc.name} → v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}` };
  if (dmarc.status === "mismatch") return { id: "dmarc", label: title, status: "fail", detail: dmarc.detail ?? "Invalid DMARC record.", fix: `Keep one record at ${dmarc.name} with p=none, quarantine or reject.` };
  const unaligned = providers.filter((p) => !p.aligned.dkim && !p.aligned.spf);
  if (unaligned.length) {
    const p = unaligned[0]!;
    return {
      id: "dmarc",
      label: title,
      status: "fail",
      detail: `${label(p.provider)}'s mail would not align: its DKIM d=${p.dkim_domain ?? "?"} and envelope ${p.envelope_domain ?? "?"} do not match ${domain} (${dmarc.alignment.dkim} DKIM alignment).`,
      fix: `Publish ${label(p.provider)}'s DKIM record for ${domain} (and its Return-Path), so its signature carries d=${domain}.`,
    };
  }
  return { id: "dmarc", label: title, status: "pass", detail: `Policy ${dmarc.policy}; ${providers.length ? "every provider's mail aligns" : "no provider yet"}.`, fix: "" };
}

export function buildChecklist(input: {
  domain: string;
  providers: ProviderCheck[];
  spf: SpfCheck;
  dmarc: DmarcCheck;
  /** Per provider on this domain: whether the ESP adds List-Unsubscribe itself (else this app does). */
  unsubscribeByEsp: Partial<Record<ProviderKind, boolean>>;
}): ChecklistItem[] {
  const { domain, providers } = input;
  const unsubscribe = providers.map((p) => `${label(p.provider)}: ${input.unsubscribeByEsp[p.provider] ? "added by the ESP (its unsubscribe handling is on)" : "added by this app"}`);
  return [
    recordItem("spf", "SPF authorizes every provider", providers, spfRecordsOf, input.spf),
    recordItem("dkim", "DKIM signs every provider's mail", providers, dkimRecordsOf),
    dmarcItem(domain, input.dmarc, providers),
    {
      id: "one_click_unsubscribe",
      label: "One-click unsubscribe on marketing mail",
      status: "pass",
      detail: `RFC 8058 List-Unsubscribe and List-Unsubscribe-Post on marketing and cold-outreach mail${unsubscribe.length ? ` — ${unsubscribe.join("; ")}` : ""}.`,
      fix: "",
    },
    complaintRateItem(undefined),
  ];
}

const pct = (n: number) => `${(n * 100).toFixed(2).replace(/\.?0+$/, "")}%`;

/**
 * Spam complaints ÷ delivered for mail from this domain over the trailing 7 days (the analytics rollups), judged only
 * from MIN_SENT_FOR_RATES sent. Computed when the domain is shown, not stored with the DNS check, so it is current.
 */
export function complaintRateItem(figures: { sent: number; delivered: number; complained: number } | undefined): ChecklistItem {
  const base = { id: "complaint_rate" as const, label: "Spam complaint rate under 0.1%", fix: "Send only to people who asked for your mail, and honour unsubscribes at once." };
  const sent = figures?.sent ?? 0;
  if (!figures || sent < MIN_SENT_FOR_RATES || figures.delivered === 0) {
    return { ...base, status: "unknown", detail: `Not enough mail from this domain in the last 7 days to judge (${sent} sent; judged from ${MIN_SENT_FOR_RATES}). Google: keep under 0.1%, never reach 0.3%.` };
  }
  const rate = figures.complained / figures.delivered;
  const detail = `${pct(rate)} over the last 7 days (${figures.complained} complaints, ${figures.delivered} delivered).`;
  if (rate >= COMPLAINT_RISK) return { ...base, status: "fail", detail: `${detail} At or above 0.3%: Gmail rejects or spam-folders such mail.` };
  if (rate >= COMPLAINT_WARN) return { ...base, status: "fail", detail: `${detail} Above 0.1%.` };
  return { ...base, status: "pass", detail, fix: "" };
}
