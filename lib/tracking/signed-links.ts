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

/** A key id travels as the token's third part: letters, digits, `_` and `-`, at most 32. */
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * `body.mac` (no key id: signed with the instance secret, as every link before key sets existed) or `body.mac.kid`
 * (signed with the key named `kid` of LINK_SIGNING_KEYS).
 */
export function signLinkToken(payload: object, secret: string, keyId?: string): string {
  requireSecret(secret);
  if (keyId !== undefined && !KEY_ID.test(keyId)) throw new Error("Link signing key ids are letters, digits, _ and - (at most 32)");
  const body = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return `${body}.${hmac(body, secret).toString("base64url")}${keyId !== undefined ? `.${keyId}` : ""}`;
}

/**
 * The payload when the token is intact and signed with the secret its key id names (`secretFor(null)` for tokens
 * without one); null for anything tampered, malformed, or signed with a key no longer known.
 */
export function verifyLinkToken<T extends object = Record<string, unknown>>(token: string, secretFor: string | ((keyId: string | null) => string | undefined)): T | null {
  if (typeof secretFor === "string") requireSecret(secretFor);
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 2 && parts.length !== 3) return null;
  const [body, mac, keyId] = parts as [string, string, string | undefined];
  if (keyId !== undefined && !KEY_ID.test(keyId)) return null;
  const secret = typeof secretFor === "string" ? (keyId === undefined ? secretFor : undefined) : secretFor(keyId ?? null);
  if (!secret) return null;
  requireSecret(secret);
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
