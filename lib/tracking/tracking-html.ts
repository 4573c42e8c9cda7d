/**
 * Own open/click tracking for built-in SMTP (Postmark and Mailgun track natively). Rewrites the HTML body per
 * recipient: an open pixel, and http(s) links in <a> tags routed through our click redirect.
 *
 * Why regular expressions and not an HTML parser: no parser is a dependency here, and we only touch two things
 * with a regular shape — `<a …>` start tags (attribute values quoted or not; quoted values may contain ">") and their
 * `href` attribute. We never need nesting. Comments (which include Outlook `<!--[if mso]>` blocks) are skipped
 * whole: their links still work, just untracked, which is the safe failure. Anything we cannot read is left as is.
 */

/** Put one of these on an <a> tag to keep it untracked; the unsubscribe link must carry `data-pm-unsubscribe`. */
export const TRACKING_OPT_OUT_ATTRIBUTES = ["data-pm-unsubscribe", "data-pm-no-track"] as const;

export interface TrackingRewriteOptions {
  openPixelUrl?: string;
  /** Our redirect URL for an original link (already decoded from HTML: `&amp;` → `&`). */
  clickUrl?: (originalUrl: string) => string;
}

// A comment, or an <a> start tag whose attributes may hold quoted ">" characters.
const COMMENT_OR_ANCHOR = /<!--[\s\S]*?-->|<a\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
// The href attribute: preceded by whitespace so `data-href` does not match; double-, single- or un-quoted value.
const HREF_ATTRIBUTE = /(\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;

export function rewriteHtmlForTracking(html: string, options: TrackingRewriteOptions): string {
  const { clickUrl, openPixelUrl } = options;
  let out = clickUrl ? html.replace(COMMENT_OR_ANCHOR, (tag) => rewriteAnchor(tag, clickUrl)) : html;
  if (openPixelUrl) out = insertOpenPixel(out, openPixelUrl);
  return out;
}

function rewriteAnchor(tag: string, clickUrl: (originalUrl: string) => string): string {
  if (tag.startsWith("<!--")) return tag;
  if (hasOptOutAttribute(tag)) return tag;
  const match = HREF_ATTRIBUTE.exec(tag);
  if (!match) return tag;
  const original = decodeHtmlAttribute((match[2] ?? match[3] ?? match[4]).trim());
  // Only web links: mailto:, tel:, #anchors, relative paths and template placeholders stay untouched.
  if (!/^https?:\/\//i.test(original)) return tag;
  const replacement = `${match[1]}"${escapeHtmlAttribute(clickUrl(original))}"`;
  return tag.slice(0, match.index) + replacement + tag.slice(match.index + match[0].length);
}

function hasOptOutAttribute(tag: string): boolean {
  return TRACKING_OPT_OUT_ATTRIBUTES.some((name) => new RegExp(`\\s${name}(?=[\\s=/>])`, "i").test(tag));
}

/** 1×1 image before the last </body>, or at the end when there is no body tag. */
function insertOpenPixel(html: string, pixelUrl: string): string {
  const pixel =
    `<img src="${escapeHtmlAttribute(pixelUrl)}" width="1" height="1" alt="" ` +
    `style="display:block;width:1px;height:1px;border:0;margin:0;padding:0" />`;
  const bodyClose = html.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i);
  return bodyClose < 0 ? html + pixel : html.slice(0, bodyClose) + pixel + html.slice(bodyClose);
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", quot: '"', apos: "'", lt: "<", gt: ">" };

/** Enough entity decoding for URLs in href values (`&amp;` is the usual one); unknown entities stay as they are. */
function decodeHtmlAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, code: string) => {
    if (code[0] === "#") {
      const point = code[1] === "x" || code[1] === "X" ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(point) && point <= 0x10ffff ? String.fromCodePoint(point) : entity;
    }
    return NAMED_ENTITIES[code.toLowerCase()] ?? entity;
  });
}

function escapeHtmlAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
