/**
 * URLs for our own open pixel, click redirect and RFC 8058 one-click unsubscribe. The send side calls these per
 * recipient; the routes under app/t and app/u verify them. Tokens are HMAC-signed with the instance's auth secret
 * (signed-links.ts) and carry a purpose, so an open token cannot be replayed as an unsubscribe and a
 * click token redirects only to the URL that was signed (no open redirect).
 */
import { appUrl, env } from "@/lib/config/env";
import { authSecret } from "@/lib/crypto/instance-keys";
import { isStorableString } from "@/lib/validation";
import { signLinkToken, verifyLinkToken } from "./signed-links";

export interface OpenLink {
  p: "open";
  w: string;
  r: string;
}
export interface ClickLink {
  p: "click";
  w: string;
  r: string;
  u: string;
}
export interface UnsubscribeLink {
  p: "unsub";
  w: string;
  r: string;
  e: string;
}
type LinkPayload = OpenLink | ClickLink | UnsubscribeLink;

export function openPixelUrl(input: { workspaceId: string; recipientId: string }): string {
  return `${appUrl()}/t/o/${sign({ p: "open", w: input.workspaceId, r: input.recipientId })}`;
}

export function clickUrl(input: { workspaceId: string; recipientId: string; url: string }): string {
  return `${appUrl()}/t/c/${sign({ p: "click", w: input.workspaceId, r: input.recipientId, u: input.url })}`;
}

export function unsubscribeUrl(input: { workspaceId: string; recipientId: string; email: string }): string {
  return `${appUrl()}/u/${sign({ p: "unsub", w: input.workspaceId, r: input.recipientId, e: input.email.trim().toLowerCase() })}`;
}

/** RFC 8058 §3.1: both headers, the URL in angle brackets; the POST body a client sends is "List-Unsubscribe=One-Click". */
export function listUnsubscribeHeaders(url: string): { "List-Unsubscribe": string; "List-Unsubscribe-Post": string } {
  return { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

/**
 * Link signing keys (LINK_SIGNING_KEYS, `kid:secret,…`): the first signs, every listed one verifies, so a new key can
 * be put first while links already in inboxes keep working. Without a key set, links are signed with the instance
 * secret and carry no key id; such links always verify against that secret, also after a key set is introduced.
 */
function sign(payload: LinkPayload): string {
  const [first] = env().LINK_SIGNING_KEYS ?? [];
  return first ? signLinkToken(payload, first.secret, first.id) : signLinkToken(payload, authSecret());
}

function secretFor(keyId: string | null): string | undefined {
  if (keyId === null) return authSecret();
  return env().LINK_SIGNING_KEYS?.find((k) => k.id === keyId)?.secret;
}

/** Token fields end up in SQL: non-empty, bounded and storable (a token is ours, but its payload is still input). */
const nonEmpty = (v: unknown): v is string => typeof v === "string" && v !== "" && v.length <= 2048 && isStorableString(v);

/** The verified payload of the given purpose, or null for anything tampered, malformed or minted for another purpose. */
export function readOpenToken(token: string): OpenLink | null {
  const p = verifyLinkToken<Partial<LinkPayload>>(token, secretFor);
  return p?.p === "open" && nonEmpty(p.w) && nonEmpty(p.r) ? (p as OpenLink) : null;
}

export function readClickToken(token: string): ClickLink | null {
  const p = verifyLinkToken<Partial<ClickLink>>(token, secretFor);
  // Only web links were ever rewritten (tracking-html.ts); refuse anything else even when signed.
  return p?.p === "click" && nonEmpty(p.w) && nonEmpty(p.r) && nonEmpty(p.u) && /^https?:\/\//i.test(p.u) ? (p as ClickLink) : null;
}

export function readUnsubscribeToken(token: string): UnsubscribeLink | null {
  const p = verifyLinkToken<Partial<UnsubscribeLink>>(token, secretFor);
  return p?.p === "unsub" && nonEmpty(p.w) && nonEmpty(p.r) && typeof p.e === "string" && p.e.length <= 320 && isStorableString(p.e) ? (p as UnsubscribeLink) : null;
}
