/**
 * SendGrid's sending-domain records (Domain Authentication, formerly "whitelabel"): GET /v3/whitelabel/domains?domain=
 * lists the records SendGrid generated for the domain with its own `valid` verdict, and
 * POST /v3/whitelabel/domains/{id}/validate makes SendGrid look at DNS again. With automated security (the default)
 * they are three CNAMEs: `em1234.<domain>` → `u5678.wl.sendgrid.net` (the Return-Path host, where SendGrid keeps SPF
 * and MX) and `s1._domainkey` / `s2._domainkey` → SendGrid's rotating DKIM keys. Without it: an MX and an SPF TXT
 * at the em host and a DKIM TXT. Link branding (url1234 / the click-tracking CNAME) is not declared: it is optional
 * and reported by another API (/v3/whitelabel/links).
 *
 * When the key may not read domain authentication (no `whitelabel.read`) or SendGrid has no authentication for a
 * domain the operator claims for SendGrid, the record names and targets are account-specific (em####, u####), so
 * they are declared as what SendGrid's dashboard shows, unchecked.
 */
import { domainOfAddress, dkimDomainOf, type EspRecordStatus, type ProviderDomains, type RequiredRecord } from "../domain-records";
import { findAuthenticatedDomain, sendgridClient, type SendgridAuthenticatedDomain, type SendgridConfig } from "./adapter";
import { classifySendgridThrown } from "./errors";

/** Without domain authentication SendGrid's own domain is the envelope (SPF passes there, unaligned). */
const SENDGRID_ENVELOPE = "sendgrid.net";

function toRequired(key: string, r: { valid?: boolean; type?: string; host?: string; data?: string }): RequiredRecord | null {
  if (!r.host || !r.data) return null;
  const type = r.type?.toUpperCase();
  const espStatus: EspRecordStatus = r.valid ? "verified" : "pending";
  const name = r.host.toLowerCase().replace(/\.$/, "");
  if (type === "CNAME" && key === "mail_cname") return { kind: "return_path", label: "Return-Path (em CNAME)", name, type: "CNAME", value: r.data.toLowerCase(), source: "esp", espStatus };
  if (type === "CNAME" && /^dkim\d*$/.test(key)) return { kind: "dkim", label: `DKIM (${name.split(".")[0]})`, name, type: "CNAME", value: r.data.toLowerCase(), source: "esp", espStatus };
  if (type === "TXT" && /^dkim\d*$/.test(key)) return { kind: "dkim", label: "DKIM", name, type: "TXT", value: r.data, source: "esp", espStatus };
  if (type === "TXT" && /^v=spf1/i.test(r.data)) {
    const mechanism = /\binclude:\S+/i.exec(r.data)?.[0].toLowerCase() ?? r.data;
    return { kind: "spf", label: "SPF (Return-Path host)", name, type: "TXT", value: mechanism, source: "esp", espStatus };
  }
  if (type === "MX") return { kind: "mx", label: "MX (Return-Path host)", name, type: "MX", value: r.data.toLowerCase(), source: "esp", espStatus };
  return null;
}

function fromAuthenticated(d: SendgridAuthenticatedDomain, domain: string) {
  const records = Object.entries(d.dns ?? {})
    .map(([key, r]) => (r ? toRequired(key, r) : null))
    .filter((r): r is RequiredRecord => r !== null);
  const returnPath = records.find((r) => r.kind === "return_path" || r.kind === "spf" || r.kind === "mx")?.name;
  const dkim = records.find((r) => r.kind === "dkim");
  return {
    records,
    espState: d.valid ? "valid" : "pending",
    envelopeDomain: returnPath ?? SENDGRID_ENVELOPE,
    dkimDomain: dkimDomainOf(dkim?.name) ?? domain,
  };
}

function fromDocumentation() {
  const shown = (what: string) => `the ${what} SendGrid shows under Settings → Sender Authentication for this domain`;
  return {
    records: [
      { kind: "return_path", label: "Return-Path (em CNAME)", name: null, type: "CNAME", value: shown("em#### CNAME"), source: "documentation" },
      { kind: "dkim", label: "DKIM (s1)", name: null, type: "CNAME", value: shown("s1._domainkey CNAME"), source: "documentation" },
      { kind: "dkim", label: "DKIM (s2)", name: null, type: "CNAME", value: shown("s2._domainkey CNAME"), source: "documentation" },
    ] satisfies RequiredRecord[],
    envelopeDomain: SENDGRID_ENVELOPE,
    dkimDomain: null,
  };
}

/** A key without `whitelabel.read` answers 403 here: the records are then unknown, not an error. */
async function authenticated(config: SendgridConfig, domain: string): Promise<SendgridAuthenticatedDomain | null | "forbidden"> {
  try {
    return await findAuthenticatedDomain(sendgridClient(config), domain);
  } catch (err) {
    if (classifySendgridThrown(err).httpStatus === 403) return "forbidden";
    throw err;
  }
}

export const sendgridDomains: ProviderDomains<SendgridConfig> = {
  async discover(config) {
    const sender = domainOfAddress(config.defaultSender);
    return sender ? [sender] : [];
  },

  async requirements(config, domain, declared) {
    const found = await authenticated(config, domain);
    if (found && found !== "forbidden") return fromAuthenticated(found, domain);
    const ours = declared.claimed || domainOfAddress(config.defaultSender) === domain;
    return ours ? fromDocumentation() : null;
  },

  async requestVerification(config, domain) {
    const found = await authenticated(config, domain);
    if (!found || found === "forbidden") return;
    await sendgridClient(config).request({ method: "POST", url: `/v3/whitelabel/domains/${found.id}/validate` });
  },
};
