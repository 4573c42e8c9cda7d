/**
 * Tags and metadata ride in SES EmailTags, beside our two ids (lib/providers/correlation.ts), and come back in every
 * event's `mail.tags`. SES allows 50 tags per message; each name and value is 1–256 ASCII letters, digits, `_` or `-`
 * (SendEmail MessageTag). Tags become `pm_tag_1…n` (in order); metadata keys are tag names as given. What cannot be
 * carried fails the message (checked on accept when SES is the first hop, else reported per recipient).
 */
import type { MessageTag } from "@aws-sdk/client-sesv2";
import type { MessageCheck, MessageFieldIssue } from "../types";

export const SES_TAG_LIMIT = 50;
/** Our two ids. */
const RESERVED_TAGS = 2;
const TAG_TEXT = /^[A-Za-z0-9_-]{1,256}$/;
export const SES_TAG_PREFIX = "pm_tag_";

export function sesTags(tags: readonly string[], metadata: Record<string, string>): MessageTag[] {
  return [...tags.map((t, i) => ({ Name: `${SES_TAG_PREFIX}${i + 1}`, Value: t })), ...Object.entries(metadata).map(([Name, Value]) => ({ Name, Value }))];
}

/** A message's tags back from SES's `mail.tags` (name → values): `pm_tag_N` in order. */
export function tagsFromSes(tags: Record<string, unknown> | undefined): string[] {
  return Object.entries(tags ?? {})
    .filter(([name, v]) => name.startsWith(SES_TAG_PREFIX) && Array.isArray(v) && typeof v[0] === "string")
    .sort(([a], [b]) => Number(a.slice(SES_TAG_PREFIX.length)) - Number(b.slice(SES_TAG_PREFIX.length)))
    .map(([, v]) => (v as string[])[0]!);
}

export function sesTagIssues(tags: readonly string[], metadata: Record<string, string>): MessageFieldIssue[] {
  const issues: MessageFieldIssue[] = [];
  const total = RESERVED_TAGS + tags.length + Object.keys(metadata).length;
  if (total > SES_TAG_LIMIT) issues.push({ field: "tags", message: `SES carries at most ${SES_TAG_LIMIT - RESERVED_TAGS} tags and metadata entries together per message (EmailTags); got ${total - RESERVED_TAGS}` });
  const badTag = tags.find((t) => !TAG_TEXT.test(t));
  if (badTag !== undefined) issues.push({ field: "tags", message: `SES tag values are 1–256 ASCII letters, digits, _ or -: "${badTag.slice(0, 60)}" is not` });
  for (const [key, value] of Object.entries(metadata)) {
    if (!TAG_TEXT.test(key)) issues.push({ field: `metadata.${key}`, message: "SES tag names are 1–256 ASCII letters, digits, _ or -" });
    else if (key.startsWith("pm_")) issues.push({ field: `metadata.${key}`, message: "metadata keys starting with pm_ are reserved for our own tags" });
    if (!TAG_TEXT.test(value)) issues.push({ field: `metadata.${key}`, message: "SES tag values are 1–256 ASCII letters, digits, _ or -" });
  }
  return issues;
}

export const checkSesMessage: MessageCheck = ({ tags, metadata }) => sesTagIssues(tags, metadata);
