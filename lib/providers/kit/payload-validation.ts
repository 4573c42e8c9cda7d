import type { z } from "zod";
import type { ProviderKind } from "../provider-kind";
import { isStorableDate } from "@/lib/validation";
import { WebhookPayloadError, type WebhookPayloadIssue } from "./webhook-payload-error";

export function zodIssues(error: z.ZodError): WebhookPayloadIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

/**
 * Postmark timestamps are ISO 8601 with up to 7 fractional digits and an offset (§4.3); Date parses them (truncating
 * to ms). Missing → the request's arrival time (the best we know); present but unparseable → a payload error.
 */
export function parseIsoTimestamp(value: string | null | undefined, fallback: Date, provider: ProviderKind): Date {
  if (value === undefined || value === null || value === "") return fallback;
  const date = new Date(value);
  if (!isStorableDate(date)) {
    throw new WebhookPayloadError(provider, `Unparseable or out-of-range timestamp "${value.slice(0, 40)}"`, [{ path: "timestamp", message: "invalid date" }]);
  }
  return date;
}

/** Drops null/undefined so `details` hold only what the ESP told us. */
export function compact(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null));
}
