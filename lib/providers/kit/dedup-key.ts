import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted recursively, so the same payload hashes the same whatever order the ESP (or a proxy)
 * serialized it in. Arrays keep their order: it is meaningful.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/**
 * Dedup key for an event without an ESP id. The whole payload is hashed, timestamps included, so two distinct
 * opens or clicks (different ReceivedAt) never merge (design.md "Webhooks"), while a retry of the same POST does.
 */
export function payloadDedupKey(prefix: string, payload: unknown): string {
  const digest = createHash("sha256").update(canonicalJson(payload), "utf8").digest("hex");
  return `${prefix}:sha256:${digest}`;
}
