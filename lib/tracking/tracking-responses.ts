import type { RequestInfo } from "./own-tracking";

/** The classic 43-byte transparent 1×1 GIF. */
const TRANSPARENT_GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

/** Nothing between the mail client and us may cache the pixel, or later opens never reach us. */
const NO_CACHE = { "Cache-Control": "no-store, no-cache, must-revalidate, private, max-age=0", Pragma: "no-cache", Expires: "0" };

export function transparentGifResponse(): Response {
  return new Response(new Uint8Array(TRANSPARENT_GIF), { status: 200, headers: { "Content-Type": "image/gif", "Content-Length": String(TRANSPARENT_GIF.length), ...NO_CACHE } });
}

export function requestInfo(request: Request): RequestInfo {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { now: new Date(), userAgent: request.headers.get("user-agent"), ip: forwarded || request.headers.get("x-real-ip") };
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function htmlPage(title: string, body: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", ...NO_CACHE } });
}

/**
 * GET /u/{token}: a confirmation page only. Link scanners and mail-security proxies follow GET links, so GET must
 * never unsubscribe; the button POSTs to the same URL, exactly what an RFC 8058 one-click client does.
 */
export function unsubscribeConfirmPage(email: string, actionPath: string): Response {
  return htmlPage(
    "Unsubscribe",
    `<p>Stop sending email to <strong>${escapeHtml(email)}</strong>?</p>
<form method="post" action="${escapeHtml(actionPath)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
  );
}

export function unsubscribedPage(email: string): Response {
  return htmlPage("You are unsubscribed", `<p><strong>${escapeHtml(email)}</strong> will receive no more email from this sender.</p>`);
}

export function invalidLinkPage(): Response {
  return htmlPage("Invalid link", "<p>This link is invalid or has been altered.</p>", 400);
}
