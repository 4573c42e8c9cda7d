/**
 * What a provider module declares about sending domains (`ProviderModule.domains`): which domains it sends from, and
 * the DNS records each needs, with where that knowledge comes from. lib/domains checks them against DNS itself;
 * nothing here resolves a name.
 */

export type RequiredRecordKind = "spf" | "dkim" | "return_path" | "tracking_cname" | "mx";

/** Where the expected value comes from: the ESP's API, the ESP's documentation (no API access), or our own settings. */
export type RecordSource = "esp" | "documentation" | "ours";

export type EspRecordStatus = "verified" | "pending" | "failed" | "unknown";

export interface RequiredRecord {
  kind: RequiredRecordKind;
  /** e.g. "DKIM", "DKIM (pending rotation)", "Return-Path", "Tracking CNAME", "SPF", "MX (receiving)". */
  label: string;
  /** The host to publish at; null when only the ESP's account API can tell it (then it cannot be checked). */
  name: string | null;
  type: "TXT" | "CNAME" | "MX";
  /**
   * What must be published: the full TXT value (DKIM: compared by its public key `p=`), the CNAME target, the MX
   * exchange; for SPF the mechanism that must be in the host's one SPF record (`include:mailgun.org`, `ip4:…`).
   */
  value: string;
  source: RecordSource;
  /** The ESP's own verdict on this record, where its API reports one. */
  espStatus?: EspRecordStatus;
  /** Not needed to send (Mailgun's receiving MX). */
  optional?: boolean;
}

export interface DomainRequirements {
  records: RequiredRecord[];
  /** The ESP's overall state of the domain ("active", "Verified", "pending"…), as it words it. */
  espState?: string;
  /** The host SPF is evaluated at for this provider's mail (the Return-Path / envelope domain). */
  envelopeDomain: string;
  /** The d= domain of the DKIM signature this provider adds, when known. */
  dkimDomain: string | null;
}

/** What the operator declared for a domain (stored by lib/domains) that a module may need. */
export interface DomainDeclarations {
  /** The operator names this provider as sending for the domain (documentation records when the ESP cannot tell). */
  claimed: boolean;
  /** SMTP relays: the SPF mechanism that authorizes the relay (`include:relay.example.net`, `ip4:203.0.113.5`). */
  spfMechanism?: string | null;
  /** SMTP relays: the envelope (Return-Path) host of the relay's mail. */
  returnPath?: string | null;
  /** DKIM keys generated for this domain by lib/domains (public halves). */
  generatedDkimKeys: Array<{ selector: string; publicKey: string }>;
}

export interface ProviderDomains<C> {
  /** The domains this provider sends from: its default sender's, its configured domain, the ESP account's domains. */
  discover(config: C): Promise<string[]>;
  /** The records `domain` needs with this provider; null when this provider does not send for it. */
  requirements(config: C, domain: string, declared: DomainDeclarations): Promise<DomainRequirements | null>;
  /** Asks the ESP to verify the domain again (it then re-reads DNS on its side); absent where there is no ESP. */
  requestVerification?(config: C, domain: string): Promise<void>;
}

/** The domain of an address (`Name <a@b.example>` → `b.example`), lower-cased; null when there is none. */
export function domainOfAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const bare = /<([^>]+)>/.exec(address)?.[1] ?? address;
  const at = bare.lastIndexOf("@");
  return at > 0 ? bare.slice(at + 1).trim().toLowerCase().replace(/\.$/, "") || null : null;
}

/** The part of a DKIM host after `._domainkey.`: the signing domain (d=). */
export function dkimDomainOf(host: string | null | undefined): string | null {
  const i = host?.toLowerCase().indexOf("._domainkey.") ?? -1;
  return host && i > 0 ? host.slice(i + "._domainkey.".length).toLowerCase() : null;
}
