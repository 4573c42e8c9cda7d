/**
 * Postmark's sending-domain records (reference §3): with an account token, DKIM (the active key and a pending rotated
 * one) and the Return-Path CNAME from its domain API, and verifyDKIM / verifyReturnPath to make Postmark look again.
 * Without one, the records Postmark's documentation says must exist: the Return-Path CNAME to pm.mtasv.net and a
 * DKIM key whose selector only the account API can tell.
 */
import { AccountClient, type Models } from "postmark";
import { domainOfAddress, dkimDomainOf, type DomainRequirements, type ProviderDomains, type RequiredRecord } from "../domain-records";
import type { PostmarkConfig } from "./adapter";

/** Postmark's documented Return-Path target and default Return-Path host prefix. */
type DomainDetails = Models.DomainDetails;

const RETURN_PATH_TARGET = "pm.mtasv.net";
const RETURN_PATH_PREFIX = "pm-bounces";
/** Without a custom Return-Path, the envelope is Postmark's own domain (SPF passes there, unaligned). */
const POSTMARK_ENVELOPE = "pm.mtasv.net";

function accountClient(config: PostmarkConfig): AccountClient | null {
  if (!config.accountToken) return null;
  const url = new URL(config.baseUrl ?? "https://api.postmarkapp.com");
  return new AccountClient(config.accountToken, {
    useHttps: url.protocol === "https:",
    requestHost: url.host + url.pathname.replace(/\/+$/, ""),
    ...(config.timeoutMs ? { timeout: config.timeoutMs / 1000 } : {}),
  });
}

async function findDomain(account: AccountClient, domain: string): Promise<DomainDetails | null> {
  const list = await account.getDomains({ count: 500, offset: 0 });
  const hit = list.Domains.find((d) => d.Name.toLowerCase() === domain);
  return hit ? account.getDomain(hit.ID) : null;
}

function fromDetails(d: DomainDetails): DomainRequirements {
  const records: RequiredRecord[] = [];
  if (d.DKIMHost && d.DKIMTextValue) {
    records.push({ kind: "dkim", label: "DKIM", name: d.DKIMHost, type: "TXT", value: d.DKIMTextValue, source: "esp", espStatus: d.DKIMVerified ? "verified" : "pending" });
  }
  if (d.DKIMPendingHost && d.DKIMPendingTextValue) {
    // A new key (first set-up or a rotation): Postmark signs with it once it is published and verified.
    records.push({ kind: "dkim", label: d.DKIMHost ? "DKIM (pending rotation)" : "DKIM", name: d.DKIMPendingHost, type: "TXT", value: d.DKIMPendingTextValue, source: "esp", espStatus: "pending" });
  }
  const returnPath = d.ReturnPathDomain || `${RETURN_PATH_PREFIX}.${d.Name.toLowerCase()}`;
  records.push({
    kind: "return_path",
    label: "Return-Path",
    name: returnPath,
    type: "CNAME",
    value: d.ReturnPathDomainCNAMEValue || RETURN_PATH_TARGET,
    source: "esp",
    espStatus: d.ReturnPathDomainVerified ? "verified" : "pending",
  });
  return {
    records,
    espState: d.DKIMVerified && d.ReturnPathDomainVerified ? "verified" : "pending",
    envelopeDomain: d.ReturnPathDomainVerified || d.ReturnPathDomain ? returnPath : POSTMARK_ENVELOPE,
    dkimDomain: dkimDomainOf(d.DKIMHost || d.DKIMPendingHost) ?? d.Name.toLowerCase(),
  };
}

function fromDocumentation(domain: string): DomainRequirements {
  const returnPath = `${RETURN_PATH_PREFIX}.${domain}`;
  return {
    records: [
      { kind: "dkim", label: "DKIM", name: null, type: "TXT", value: "the DKIM key Postmark shows for this domain (its selector ends in “pm”)", source: "documentation" },
      { kind: "return_path", label: "Return-Path", name: returnPath, type: "CNAME", value: RETURN_PATH_TARGET, source: "documentation" },
    ],
    envelopeDomain: returnPath,
    dkimDomain: domain,
  };
}

export const postmarkDomains: ProviderDomains<PostmarkConfig> = {
  async discover(config) {
    const found = new Set<string>();
    const sender = domainOfAddress(config.defaultSender);
    if (sender) found.add(sender);
    const account = accountClient(config);
    if (account) for (const d of (await account.getDomains({ count: 500, offset: 0 })).Domains) found.add(d.Name.toLowerCase());
    return [...found];
  },

  async requirements(config, domain, declared) {
    const account = accountClient(config);
    if (account) {
      const details = await findDomain(account, domain);
      if (details) return fromDetails(details);
    }
    const ours = declared.claimed || domainOfAddress(config.defaultSender) === domain;
    return ours ? fromDocumentation(domain) : null;
  },

  async requestVerification(config, domain) {
    const account = accountClient(config);
    if (!account) return;
    const details = await findDomain(account, domain);
    if (!details) return;
    if (!details.DKIMVerified || details.DKIMPendingHost) await account.verifyDomainDKIM(details.ID);
    if (!details.ReturnPathDomainVerified) await account.verifyDomainReturnPath(details.ID);
  },
};
