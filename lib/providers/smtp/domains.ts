/**
 * Records for our own SMTP relays, from our own settings: the DKIM public key of the key the SMTP settings sign with
 * (or of a key lib/domains generated for the domain on request), the SPF mechanism the operator declared for the
 * relay (else one derived from the relay's host, marked as such), at the envelope (Return-Path) host when one is
 * declared, else at the domain.
 */
import { createPublicKey } from "node:crypto";
import { isIP } from "node:net";
import { domainOfAddress, type ProviderDomains, type RequiredRecord } from "../domain-records";
import type { SmtpConfig } from "./adapter";

/** The DKIM TXT value of a private key (PEM): its SubjectPublicKeyInfo, base64, as RFC 6376 §3.6.1 `p=`. */
export function dkimRecordValue(privateKeyPem: string): string | null {
  try {
    const key = createPublicKey(privateKeyPem);
    const spki = key.export({ type: "spki", format: "der" }).toString("base64");
    return `v=DKIM1; k=${key.asymmetricKeyType === "ed25519" ? "ed25519" : "rsa"}; p=${spki}`;
  } catch {
    return null;
  }
}

/** A mechanism for the relay host when the operator declared none: its address, or `a:` its name. */
function derivedMechanism(host: string): string {
  const family = isIP(host);
  return family === 4 ? `ip4:${host}` : family === 6 ? `ip6:${host}` : `a:${host.toLowerCase()}`;
}

export const smtpDomains: ProviderDomains<SmtpConfig> = {
  async discover(config) {
    return [...new Set([domainOfAddress(config.defaultSender), config.dkim?.domainName.toLowerCase()].filter((d): d is string => Boolean(d)))];
  },

  async requirements(config, domain, declared) {
    const ours = declared.claimed || domainOfAddress(config.defaultSender) === domain || config.dkim?.domainName.toLowerCase() === domain;
    if (!ours) return null;
    const records: RequiredRecord[] = [];
    const settingsKey = config.dkim && config.dkim.domainName.toLowerCase() === domain ? dkimRecordValue(config.dkim.privateKey) : null;
    if (config.dkim && settingsKey) {
      records.push({ kind: "dkim", label: "DKIM (key from the SMTP settings)", name: `${config.dkim.keySelector}._domainkey.${domain}`, type: "TXT", value: settingsKey, source: "ours" });
    }
    for (const k of declared.generatedDkimKeys) {
      records.push({ kind: "dkim", label: "DKIM (generated key)", name: `${k.selector}._domainkey.${domain}`, type: "TXT", value: k.publicKey, source: "ours" });
    }
    if (!records.length) {
      records.push({ kind: "dkim", label: "DKIM", name: null, type: "TXT", value: "no DKIM key yet: set one in the SMTP settings or generate one here", source: "ours" });
    }
    const envelope = (declared.returnPath || domain).toLowerCase();
    records.push({
      kind: "spf",
      label: declared.spfMechanism ? "SPF" : "SPF (derived from the relay host)",
      name: envelope,
      type: "TXT",
      value: (declared.spfMechanism || derivedMechanism(config.host)).toLowerCase(),
      source: declared.spfMechanism ? "ours" : "documentation",
    });
    return { records, envelopeDomain: envelope, dkimDomain: records.some((r) => r.kind === "dkim" && r.name) ? domain : null };
  },
};
