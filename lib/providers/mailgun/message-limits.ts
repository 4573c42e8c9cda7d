import type { MessageCheck } from "../types";
import { MAILGUN_MAX_TAGS } from "./adapter";

/**
 * Mailgun limits the `o:`, `h:` and `v:` options of one message to 16 kB together (esp-contracts §5: over it the
 * call is a 400). Ours take part of it: our ids as `v:` variables, per-recipient List-Unsubscribe headers and the
 * tracking options — RESERVED_BYTES keeps room for them.
 */
export const MAILGUN_OPTIONS_LIMIT_BYTES = 16 * 1024;
const RESERVED_BYTES = 2 * 1024;

export const checkMailgunMessage: MessageCheck = ({ tags, metadata, headers }) => {
  const bytes = (s: string) => Buffer.byteLength(s, "utf8");
  let total = 0;
  for (const tag of tags) total += bytes("o:tag") + bytes(tag);
  for (const [name, value] of Object.entries(headers)) total += bytes(`h:${name}`) + bytes(value);
  for (const [key, value] of Object.entries(metadata)) total += bytes(`v:${key}`) + bytes(value);
  const issues = [];
  if (tags.length > MAILGUN_MAX_TAGS) issues.push({ field: "tags", message: `Mailgun takes at most ${MAILGUN_MAX_TAGS} tags per message` });
  if (total > MAILGUN_OPTIONS_LIMIT_BYTES - RESERVED_BYTES) {
    issues.push({
      field: "metadata",
      message: `tags, headers and metadata take ${total} bytes; Mailgun allows ${MAILGUN_OPTIONS_LIMIT_BYTES - RESERVED_BYTES} on a message (16 kB of options, less what our ids and headers use)`,
    });
  }
  return issues;
};
