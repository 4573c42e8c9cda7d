/**
 * HMAC-signed tokens for our own tracking and unsubscribe links (built-in SMTP open pixel, click redirect, and the
 * RFC 8058 one-click unsubscribe URL). Format: base64url(JSON payload) "." base64url(HMAC-SHA256(secret, first part)).
 *
 * The token is signed, not encrypted: put ids in it, never secrets. Include a purpose field in the payload
 * (e.g. `{ p: "unsub", r: "rcp_…" }`) so a token minted for an open pixel cannot be replayed as an unsubscribe.
 * There is no built-in expiry: unsubscribe links must keep working for as long as the mail sits in an inbox.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

function hmac(data: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(data, "utf8").digest();
}

function requireSecret(secret: string): void {
  // An empty secret makes every token forgeable: fail loudly rather than sign with it.
  if (!secret) throw new Error("Link signing secret is not configured");
}

export function signLinkToken(payload: object, secret: string): string {
  requireSecret(secret);
  const body = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return `${body}.${hmac(body, secret).toString("base64url")}`;
}

/** The payload when the token is intact and signed with `secret`; null for anything tampered or malformed. */
export function verifyLinkToken<T extends object = Record<string, unknown>>(token: string, secret: string): T | null {
  requireSecret(secret);
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 2) return null;
  const [body, mac] = parts;
  // Strict alphabet: Buffer.from(…, "base64url") silently skips junk, which would let many strings decode alike.
  if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]{43}$/.test(mac)) return null;
  // Compare the encoded forms (both 43 ASCII chars here): decoding first would accept variants of the last
  // character that differ only in its 2 unused bits, i.e. more than one valid spelling of a token.
  const expected = Buffer.from(hmac(body, secret).toString("base64url"), "ascii");
  if (!timingSafeEqual(Buffer.from(mac, "ascii"), expected)) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    return payload !== null && typeof payload === "object" ? (payload as T) : null;
  } catch {
    return null;
  }
}
