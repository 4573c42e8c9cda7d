import type { MessageCheck } from "../types";
import { SENDGRID_MAX_CATEGORIES } from "./adapter";

/**
 * custom_args of one personalization, message-level ones included, may take at most 10,000 bytes (Mail Send API
 * reference); ours take part of it: our two ids, which RESERVED_BYTES keeps room for.
 */
export const SENDGRID_CUSTOM_ARGS_LIMIT_BYTES = 10_000;
const RESERVED_BYTES = 200;
/** Each category is at most 255 characters (Mail Send API reference). */
export const SENDGRID_MAX_CATEGORY_LENGTH = 255;

export const checkSendgridMessage: MessageCheck = ({ tags, metadata }) => {
  const issues = [];
  if (tags.length > SENDGRID_MAX_CATEGORIES) issues.push({ field: "tags", message: `SendGrid takes at most ${SENDGRID_MAX_CATEGORIES} categories (tags) per message` });
  if (tags.some((t) => t.length > SENDGRID_MAX_CATEGORY_LENGTH)) issues.push({ field: "tags", message: `SendGrid categories are at most ${SENDGRID_MAX_CATEGORY_LENGTH} characters` });
  const bytes = Buffer.byteLength(JSON.stringify(metadata), "utf8");
  if (bytes > SENDGRID_CUSTOM_ARGS_LIMIT_BYTES - RESERVED_BYTES) {
    issues.push({ field: "metadata", message: `metadata takes ${bytes} bytes as custom_args; SendGrid allows ${SENDGRID_CUSTOM_ARGS_LIMIT_BYTES - RESERVED_BYTES} on a message (10,000 less what our ids use)` });
  }
  return issues;
};
