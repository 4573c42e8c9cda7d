/**
 * Mailgun's sending-domain records (reference §7): GET /v4/domains/{domain} lists the sending records (SPF TXT, DKIM
 * TXT, tracking CNAME) and the receiving MX records with Mailgun's own `valid` verdict; PUT …/verify makes Mailgun
 * look at DNS again. A domain Mailgun does not know (404) is not sent through Mailgun.
 */
import FormData from "form-data";
import Mailgun from "mailgun.js";
import { dkimDomainOf, type EspRecordStatus, type ProviderDomains, type RequiredRecord } from "../domain-records";
import { MAILGUN_REGION_URLS, type MailgunConfig } from "./adapter";

interface MailgunDnsRecord {
  name?: string;
  record_type: string;
  valid: string;
  value: string;
  priority?: string;
}

function client(config: MailgunConfig) {
  return new Mailgun(FormData).client({
    username: "api",
    key: config.apiKey,
    url: config.baseUrl ?? MAILGUN_REGION_URLS[config.region],
    ...(config.timeoutMs ? { timeout: config.timeoutMs } : {}),
  });
}

const espStatus = (valid: string): EspRecordStatus => (valid === "valid" ? "verified" : valid === "invalid" ? "failed" : "pending");

/** Mailgun's SPF value is a whole record (`v=spf1 include:mailgun.org ~all`); what matters is its include. */
function spfMechanism(value: string): string {
  return /\binclude:\S+/i.exec(value)?.[0].toLowerCase() ?? value;
}

function toRequired(r: MailgunDnsRecord, domain: string, side: "sending" | "receiving"): RequiredRecord | null {
  const esp = espStatus(r.valid);
  const name = (r.name || domain).toLowerCase();
  if (side === "receiving" && r.record_type === "MX") {
    return { kind: "mx", label: "MX (receiving, optional)", name, type: "MX", value: r.value.toLowerCase(), source: "esp", espStatus: esp, optional: true };
  }
  if (r.record_type === "CNAME") return { kind: "tracking_cname", label: "Tracking CNAME", name, type: "CNAME", value: r.value.toLowerCase(), source: "esp", espStatus: esp };
  if (r.record_type !== "TXT") return null;
  if (/^v=spf1/i.test(r.value)) return { kind: "spf", label: "SPF", name, type: "TXT", value: spfMechanism(r.value), source: "esp", espStatus: esp };
  if (/_domainkey\./i.test(name)) return { kind: "dkim", label: "DKIM", name, type: "TXT", value: r.value, source: "esp", espStatus: esp };
  return null;
}

const isNotFound = (err: unknown) => Number((err as { status?: number })?.status) === 404;

export const mailgunDomains: ProviderDomains<MailgunConfig> = {
  async discover(config) {
    return [config.domain.toLowerCase()];
  },

  async requirements(config, domain) {
    let d;
    try {
      d = await client(config).domains.get(domain);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    const sending = (d.sending_dns_records ?? []) as MailgunDnsRecord[];
    const receiving = (d.receiving_dns_records ?? []) as MailgunDnsRecord[];
    const records = [...sending.map((r) => toRequired(r, domain, "sending")), ...receiving.map((r) => toRequired(r, domain, "receiving"))].filter((r): r is RequiredRecord => r !== null);
    const dkim = records.find((r) => r.kind === "dkim");
    return {
      records,
      espState: d.state,
      // Mailgun's envelope sender is the sending domain itself (bounces+…@mg.example.com) unless a mailfrom host is set.
      envelopeDomain: ((d as { mailfrom_host?: string }).mailfrom_host || domain).toLowerCase(),
      dkimDomain: dkimDomainOf(dkim?.name) ?? domain,
    };
  },

  async requestVerification(config, domain) {
    try {
      await client(config).domains.verify(domain);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },
};
