/**
 * Client-safe (zod and types only): the POST /api/v1/domains body, and the shapes of a domain's check as stored and
 * as the API and the Domains page show it. Statuses: a record is ok / missing / mismatch / unknown (a timeout or
 * SERVFAIL — we could not tell, never shown as a failure); a checklist item passes, fails or is unknown.
 */
import { z } from "zod";
import { PROVIDER_KINDS, type ProviderKind } from "../providers/provider-kind";

export const RECORD_STATUSES = ["ok", "missing", "mismatch", "unknown"] as const;
export type RecordCheckStatus = (typeof RECORD_STATUSES)[number];

export const DOMAIN_STATUSES = ["unchecked", "verified", "action_needed", "unknown"] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

export type ChecklistStatus = "pass" | "fail" | "unknown";

/** A host name as an operator types it: letters, digits, hyphens, dots; at most 253 characters. */
const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
export const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v) => v.replace(/\.$/, ""))
  .refine((v) => HOSTNAME.test(v), "must be a domain name such as example.com");

/** An SPF mechanism that authorizes a relay: include:, ip4:, ip6:, a: or mx:. */
const spfMechanism = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(include:[a-z0-9.-]+|ip4:[0-9.]+(\/\d{1,2})?|ip6:[0-9a-f:]+(\/\d{1,3})?|a(:[a-z0-9.-]+)?|mx(:[a-z0-9.-]+)?)$/, "must be one SPF mechanism, e.g. include:relay.example.net or ip4:203.0.113.5");

export const DKIM_SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const addDomainInput = z
  .object({
    domain: domainName,
    /** Providers that send for this domain besides those that report it themselves. */
    providers: z.array(z.enum(PROVIDER_KINDS)).max(PROVIDER_KINDS.length).optional(),
    smtp: z
      .object({
        spf_mechanism: spfMechanism.nullable().optional(),
        return_path: domainName.nullable().optional(),
        /** Generate a DKIM key pair for this domain and selector (stored encrypted; the public key is the record). */
        generate_dkim_key: z.object({ selector: z.string().trim().toLowerCase().regex(DKIM_SELECTOR, "must be a DNS label (letters, digits, hyphens)") }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type AddDomainInput = z.input<typeof addDomainInput>;

export interface RecordCheck {
  provider: ProviderKind | null;
  kind: string;
  label: string;
  name: string | null;
  type: "TXT" | "CNAME" | "MX";
  expected: string;
  found: string[];
  status: RecordCheckStatus;
  /** One line: why this status (e.g. "2 SPF records: receivers treat that as an error"). */
  detail: string | null;
  source: "esp" | "documentation" | "ours" | "dns";
  esp_status: string | null;
  optional: boolean;
  checked_at: string;
  /** When this record last changed status (kept across checks while it stays the same). */
  status_since: string;
}

export interface ProviderCheck {
  provider: ProviderKind;
  /** The ESP's state of the domain, as it words it ("active", "verified", "pending"); null without one. */
  esp_state: string | null;
  /** An error while asking the ESP for its records (its records are then unknown). */
  esp_error: string | null;
  envelope_domain: string | null;
  dkim_domain: string | null;
  records: RecordCheck[];
  /** DKIM and SPF alignment with the From domain under the DMARC record's modes. */
  aligned: { dkim: boolean; spf: boolean };
}

export interface SpfCheck {
  name: string;
  records: string[];
  status: RecordCheckStatus;
  lookups: number | null;
  detail: string | null;
}

export interface DmarcCheck {
  name: string;
  record: string | null;
  status: RecordCheckStatus;
  policy: string | null;
  subdomain_policy: string | null;
  alignment: { dkim: "relaxed" | "strict"; spf: "relaxed" | "strict" };
  detail: string | null;
}

export interface ChecklistItem {
  id: "spf" | "dkim" | "dmarc" | "one_click_unsubscribe" | "complaint_rate";
  label: string;
  status: ChecklistStatus;
  detail: string;
  /** The one-line fix (empty when it passes). */
  fix: string;
}

export interface DomainCheckResult {
  organizational_domain: string;
  providers: ProviderCheck[];
  spf: SpfCheck;
  dmarc: DmarcCheck;
  checklist: ChecklistItem[];
}

export interface StatusChangeView {
  subject: string;
  from: string | null;
  to: string;
  at: string;
}

export interface DomainView {
  domain: string;
  source: "discovered" | "added";
  /** Providers that send for it (reported by the provider, or named when it was added). */
  providers: ProviderKind[];
  status: DomainStatus;
  status_changed_at: string | null;
  checked_at: string | null;
  next_check_at: string;
  smtp: { spf_mechanism: string | null; return_path: string | null; dkim_keys: Array<{ selector: string; created_at: string }> };
  result: DomainCheckResult | null;
  history: StatusChangeView[];
}
