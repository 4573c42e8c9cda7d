/**
 * Postmark Bounce `Type` / `TypeCode` pairs (esp-contracts.md §4.3, from the SDK enum `models/bounces/Bounce.ts`)
 * and what each means for us.
 *
 * The rule behind the hard/soft split: "hard" means *the address* is bad and must be suppressed; anything that says
 * more about the message, our domain or a transient condition is "soft", because suppressing a good address is the
 * costlier mistake. Records that are not a delivery verdict at all (auto-replies, relay tests, inbound) are ignored.
 */
import type { BounceClass, NormalizedEventType } from "../normalized-event";

export const POSTMARK_BOUNCE_TYPES = [
  "HardBounce",
  "Transient",
  "Unsubscribe",
  "Subscribe",
  "AutoResponder",
  "AddressChange",
  "DnsError",
  "SpamNotification",
  "OpenRelayTest",
  "Unknown",
  "SoftBounce",
  "VirusNotification",
  "ChallengeVerification",
  "BadEmailAddress",
  "SpamComplaint",
  "ManuallyDeactivated",
  "Unconfirmed",
  "Blocked",
  "SMTPApiError",
  "InboundError",
  "DMARCPolicy",
  "TemplateRenderingFailed",
] as const;
export type PostmarkBounceType = (typeof POSTMARK_BOUNCE_TYPES)[number];

export type BounceVerdict =
  | { type: "bounced"; bounceClass: BounceClass }
  | { type: Exclude<NormalizedEventType, "bounced"> }
  | { ignore: string };

const hard = { type: "bounced", bounceClass: "hard" } as const;
const soft = { type: "bounced", bounceClass: "soft" } as const;

export const POSTMARK_BOUNCE_CODES = {
  HardBounce: 1,
  Transient: 2,
  Unsubscribe: 16,
  Subscribe: 32,
  AutoResponder: 64,
  AddressChange: 128,
  DnsError: 256,
  SpamNotification: 512,
  OpenRelayTest: 1024,
  Unknown: 2048,
  SoftBounce: 4096,
  VirusNotification: 8192,
  ChallengeVerification: 16384,
  BadEmailAddress: 100000,
  SpamComplaint: 100001,
  ManuallyDeactivated: 100002,
  Unconfirmed: 100003,
  Blocked: 100006,
  SMTPApiError: 100007,
  InboundError: 100008,
  DMARCPolicy: 100009,
  TemplateRenderingFailed: 100010,
} as const satisfies Record<PostmarkBounceType, number>;

export const POSTMARK_BOUNCE_VERDICTS = {
  // The address does not exist / is invalid / was deactivated by the sender: suppress.
  HardBounce: hard,
  BadEmailAddress: hard,
  ManuallyDeactivated: hard,
  // Temporary or not about the address: the address stays sendable.
  Transient: soft, // "message delayed"; a temporary failure is a soft-bounce signal (README, Classification)
  SoftBounce: soft,
  DnsError: soft, // a temporary DNS failure on the receiving side
  Unknown: soft, // unclassified by Postmark; too weak to suppress on
  // Receiving filters blocked the *content* (spam filter, not a person's complaint): a person's complaint arrives as
  // SpamComplaint. Treating it as a complaint would suppress an address that never complained.
  SpamNotification: soft,
  VirusNotification: soft,
  Blocked: soft, // ISP blocked our sending IP/domain, not the address
  DMARCPolicy: soft, // our domain's alignment failed; fix DNS, do not suppress the address
  Unconfirmed: { type: "failed" }, // legacy "registration not confirmed": Postmark did not send; no verdict on the address
  SMTPApiError: { type: "failed" },
  TemplateRenderingFailed: { type: "failed" },
  SpamComplaint: { type: "complained" },
  Unsubscribe: { type: "unsubscribed" }, // list-unsubscribe processed by Postmark (ANYMAIL maps it the same)
  Subscribe: { ignore: "Postmark Subscribe bounce record: not a delivery signal, and we never auto-lift suppressions" },
  AutoResponder: { ignore: "Postmark AutoResponder record: an automatic reply means the message arrived" },
  AddressChange: { ignore: "Postmark AddressChange record: an automatic notice, not a delivery verdict" },
  ChallengeVerification: { ignore: "Postmark ChallengeVerification record: a challenge-response auto-reply" },
  OpenRelayTest: { ignore: "Postmark OpenRelayTest record: the receiving MTA testing Postmark" },
  InboundError: { ignore: "Postmark InboundError record: concerns inbound mail, which we do not process" },
} as const satisfies Record<PostmarkBounceType, BounceVerdict>;

const TYPE_BY_CODE = new Map<number, PostmarkBounceType>(
  POSTMARK_BOUNCE_TYPES.map((type) => [POSTMARK_BOUNCE_CODES[type], type]),
);

function isPostmarkBounceType(value: string): value is PostmarkBounceType {
  return (POSTMARK_BOUNCE_TYPES as readonly string[]).includes(value);
}

/**
 * `Type` wins over `TypeCode`: §4.3 notes fixtures with SpamComplaint + TypeCode 512 (SpamNotification's code).
 * TypeCode is the fallback for a Type string we do not know; neither known → a soft bounce (a bounce record is still
 * a failed delivery, but nothing justifies suppressing the address).
 */
export function classifyPostmarkBounce(type: string, typeCode: number | undefined): BounceVerdict & { known: boolean } {
  if (isPostmarkBounceType(type)) return { ...POSTMARK_BOUNCE_VERDICTS[type], known: true };
  const byCode = typeCode === undefined ? undefined : TYPE_BY_CODE.get(typeCode);
  if (byCode) return { ...POSTMARK_BOUNCE_VERDICTS[byCode], known: true };
  return { ...soft, known: false };
}
