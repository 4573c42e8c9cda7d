import { METADATA_KEYS } from "../correlation";
import type { MessageCheck, MessageFieldIssue } from "../types";

/**
 * Postmark refuses (ErrorCode 300) metadata beyond its limits: at most 10 fields per message, names up to 20
 * characters, values up to 80, and no two names that differ only in case (postmarkapp.com/support/article/
 * 1125-custom-metadata-faq). Our own ids ride in the same Metadata (pm_message_id, pm_recipient_id, and pm_tags when a
 * message has more than one tag), so they count too. Checked when the message is accepted for Postmark, instead of
 * failing every copy later.
 */
export const POSTMARK_METADATA_LIMITS = { fields: 10, keyLength: 20, valueLength: 80 } as const;

export const checkPostmarkMessage: MessageCheck = ({ tags, metadata }) => {
  const issues: MessageFieldIssue[] = [];
  const ours = 2 + (tags.length > 1 ? 1 : 0);
  const keys = Object.keys(metadata);
  if (keys.length + ours > POSTMARK_METADATA_LIMITS.fields) {
    issues.push({ field: "metadata", message: `Postmark takes at most ${POSTMARK_METADATA_LIMITS.fields - ours} metadata keys on this message (${ours} carry our ids)` });
  }
  const seen = new Set<string>(Object.values(METADATA_KEYS));
  for (const key of keys) {
    if (key.length > POSTMARK_METADATA_LIMITS.keyLength) issues.push({ field: `metadata.${key}`, message: `Postmark metadata keys are at most ${POSTMARK_METADATA_LIMITS.keyLength} characters` });
    if (metadata[key]!.length > POSTMARK_METADATA_LIMITS.valueLength) issues.push({ field: `metadata.${key}`, message: `Postmark metadata values are at most ${POSTMARK_METADATA_LIMITS.valueLength} characters` });
    if (seen.has(key.toLowerCase())) issues.push({ field: `metadata.${key}`, message: "Postmark refuses metadata keys that differ only in case" });
    seen.add(key.toLowerCase());
  }
  if (tags.length > 1 && tags.join(",").length > POSTMARK_METADATA_LIMITS.valueLength) {
    issues.push({ field: "tags", message: `with several tags, Postmark keeps them in one ${POSTMARK_METADATA_LIMITS.valueLength}-character metadata value; these are longer together` });
  }
  return issues;
};
