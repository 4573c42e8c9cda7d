/**
 * SES's sending-domain records, from GetEmailIdentity of the domain (SES Developer Guide, "Easy DKIM" and "Using a
 * custom MAIL FROM domain"): Easy DKIM is three CNAMEs `<token>._domainkey.<domain>` → `<token>.dkim.amazonses.com`
 * with SES's own status; a custom MAIL FROM domain needs an MX (`feedback-smtp.<region>.amazonses.com`, priority 10)
 * and an SPF TXT with `include:amazonses.com`. Without a custom MAIL FROM, SES's own domain is the envelope (SPF passes
 * there, unaligned). BYODKIM (the operator's own key) shows as no tokens: declared as unknown, not guessed.
 */
import { GetEmailIdentityCommand, type GetEmailIdentityCommandOutput } from "@aws-sdk/client-sesv2";
import { domainOfAddress, type EspRecordStatus, type ProviderDomains, type RequiredRecord } from "../domain-records";
import { sesClient, type SesConfig } from "./adapter";

const SES_ENVELOPE = "amazonses.com";

const statusOf = (s: string | undefined): EspRecordStatus => (s === "SUCCESS" ? "verified" : s === "FAILED" ? "failed" : s === "PENDING" || s === "TEMPORARY_FAILURE" || s === "NOT_STARTED" ? "pending" : "unknown");

export function sesRequirements(config: SesConfig, domain: string, identity: GetEmailIdentityCommandOutput) {
  const dkim = identity.DkimAttributes;
  const dkimStatus = statusOf(dkim?.Status);
  const records: RequiredRecord[] = (dkim?.Tokens ?? []).map((token) => ({
    kind: "dkim",
    label: `DKIM (${token.slice(0, 8)}…)`,
    name: `${token}._domainkey.${domain}`.toLowerCase(),
    type: "CNAME",
    value: `${token}.dkim.amazonses.com`.toLowerCase(),
    source: "esp",
    espStatus: dkimStatus,
  }));
  const mailFrom = identity.MailFromAttributes?.MailFromDomain?.toLowerCase();
  if (mailFrom) {
    const espStatus = statusOf(identity.MailFromAttributes?.MailFromDomainStatus);
    records.push({ kind: "mx", label: "MX (custom MAIL FROM)", name: mailFrom, type: "MX", value: `feedback-smtp.${config.region}.amazonses.com`, source: "esp", espStatus });
    records.push({ kind: "spf", label: "SPF (custom MAIL FROM)", name: mailFrom, type: "TXT", value: "include:amazonses.com", source: "esp", espStatus });
  }
  return {
    records,
    espState: identity.VerifiedForSendingStatus ? "verified for sending" : "not verified for sending",
    envelopeDomain: mailFrom ?? SES_ENVELOPE,
    dkimDomain: dkim?.Tokens?.length ? domain : null,
  };
}

export const sesDomains: ProviderDomains<SesConfig> = {
  async discover(config) {
    const sender = domainOfAddress(config.defaultSender);
    return sender ? [sender] : [];
  },

  async requirements(config, domain, declared) {
    const client = sesClient(config);
    try {
      const identity = await client.send(new GetEmailIdentityCommand({ EmailIdentity: domain }));
      if (identity.IdentityType === "DOMAIN") return sesRequirements(config, domain, identity);
    } catch (err) {
      if ((err as { name?: string }).name !== "NotFoundException") throw err;
    } finally {
      client.destroy();
    }
    const ours = declared.claimed || domainOfAddress(config.defaultSender) === domain;
    // Not an SES domain identity: the records are generated when the operator adds it in SES, so they are unknown here.
    return ours ? { records: [], espState: `${domain} is not an SES identity in ${config.region}`, envelopeDomain: SES_ENVELOPE, dkimDomain: null } : null;
  },
};
