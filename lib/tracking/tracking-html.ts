/**
 * Own open/click tracking for providers without native tracking: per recipient, an open pixel and http(s) links in
 * <a> tags routed through our click redirect.
 *
 * The HTML is read by htmlparser2's tokenizer (a maintained, single-pass state machine: linear in the input, whatever
 * the markup), not by regular expressions — `<a ` × 100,000 took quadratic time in the old pattern and froze the
 * process. Only the href values we rewrite change; every other byte (comments, Outlook conditional blocks, malformed
 * markup, script and style contents) is copied through untouched.
 *
 * The document is tokenized once per message (`planTracking`), then each recipient's copy is assembled from the plan
 * in one pass (`applyTracking`), so N recipients cost one parse and N concatenations.
 */
import { decodeHTMLAttribute, escapeAttribute } from "entities";
import { QuoteType, Tokenizer } from "htmlparser2";

/** Put one of these on an <a> tag to keep it untracked; the unsubscribe link must carry `data-pm-unsubscribe`. */
export const TRACKING_OPT_OUT_ATTRIBUTES = ["data-pm-unsubscribe", "data-pm-no-track"] as const;

/**
 * Size budget: at most this many links of one message are tracked (the rest keep their original href). Each tracked
 * link grows by a signed token (~200 bytes), so the budget bounds the rewritten body at about input + 400 KB.
 */
export const MAX_TRACKED_LINKS = 2_000;

export interface TrackingRewriteOptions {
  openPixelUrl?: string;
  /** Our redirect URL for an original link (decoded from HTML and normalized by the URL standard). */
  clickUrl?: (originalUrl: string) => string;
}

interface TrackedLink {
  /** Source range of the attribute value, quotes included. */
  start: number;
  end: number;
  url: string;
}

export interface TrackingPlan {
  html: string;
  links: TrackedLink[];
  /** Where the pixel goes: before the last </body>, else the end. */
  pixelAt: number;
}

interface Attribute {
  name: string;
  valueStart: number;
  valueEnd: number;
  quote: QuoteType;
}

/** Tokenizes once; the result is shared by every recipient of the message. */
export function planTracking(html: string): TrackingPlan {
  const links: TrackedLink[] = [];
  let pixelAt = html.length;
  let tag: string | null = null;
  let attributes: Attribute[] = [];
  let attributeName = "";
  let valueStart = -1;
  let valueEnd = -1;

  const endOfOpenTag = () => {
    if (tag === "a" && links.length < MAX_TRACKED_LINKS) {
      const link = trackableLink(html, attributes);
      if (link) links.push(link);
    }
    tag = null;
    attributes = [];
  };

  const tokenizer = new Tokenizer(
    { decodeEntities: false },
    {
      onopentagname(start, end) {
        tag = html.slice(start, end).toLowerCase();
        attributes = [];
      },
      onattribname(start, end) {
        attributeName = html.slice(start, end).toLowerCase();
        valueStart = valueEnd = -1;
      },
      onattribdata(start, end) {
        if (valueStart < 0) valueStart = start;
        valueEnd = end;
      },
      onattribentity() {},
      onattribend(quote) {
        if (tag === "a") attributes.push({ name: attributeName, valueStart, valueEnd, quote });
      },
      onopentagend: endOfOpenTag,
      onselfclosingtag: endOfOpenTag,
      onclosetag(start, end) {
        // `start` is the name's first character; the tag began at the "<" before the "/".
        if (html.slice(start, end).toLowerCase() === "body") pixelAt = html.lastIndexOf("<", start);
      },
      ontext() {},
      ontextentity() {},
      oncomment() {},
      oncdata() {},
      ondeclaration() {},
      onprocessinginstruction() {},
      onend() {},
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  return { html, links, pixelAt };
}

function trackableLink(html: string, attributes: Attribute[]): TrackedLink | null {
  if (attributes.some((a) => (TRACKING_OPT_OUT_ATTRIBUTES as readonly string[]).includes(a.name))) return null;
  const href = attributes.find((a) => a.name === "href");
  if (!href || href.quote === QuoteType.NoValue || href.valueStart < 0) return null;
  const url = normalizeClickTarget(decodeHTMLAttribute(html.slice(href.valueStart, href.valueEnd)));
  if (!url) return null;
  const quoted = href.quote === QuoteType.Double || href.quote === QuoteType.Single;
  return { start: quoted ? href.valueStart - 1 : href.valueStart, end: quoted ? href.valueEnd + 1 : href.valueEnd, url };
}

/**
 * The URL standard's serialization of an http(s) link (non-ASCII paths and hosts encoded, spaces escaped), or null
 * for anything else: mailto:, tel:, #anchors, relative paths, template placeholders and unparseable URLs stay as
 * they are. The result is ASCII, so a redirect to it can always be answered.
 */
export function normalizeClickTarget(value: string): string | null {
  const trimmed = value.trim();
  if (!/^https?:\/\//i.test(trimmed)) return null;
  try {
    const url = new URL(trimmed);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** One recipient's copy: the plan's links replaced by their click URLs, the pixel inserted. */
export function applyTracking(plan: TrackingPlan, options: TrackingRewriteOptions): string {
  const { clickUrl, openPixelUrl } = options;
  const parts: string[] = [];
  let at = 0;
  const pixel = openPixelUrl ? pixelTag(openPixelUrl) : "";
  let pixelPending = Boolean(pixel);
  for (const link of clickUrl ? plan.links : []) {
    if (pixelPending && plan.pixelAt <= link.start) {
      parts.push(plan.html.slice(at, plan.pixelAt), pixel);
      at = plan.pixelAt;
      pixelPending = false;
    }
    parts.push(plan.html.slice(at, link.start), `"${escapeAttribute(clickUrl!(link.url))}"`);
    at = link.end;
  }
  if (pixelPending && plan.pixelAt >= at) {
    parts.push(plan.html.slice(at, plan.pixelAt), pixel);
    at = plan.pixelAt;
  }
  parts.push(plan.html.slice(at));
  return parts.join("");
}

export function rewriteHtmlForTracking(html: string, options: TrackingRewriteOptions): string {
  if (!options.clickUrl && !options.openPixelUrl) return html;
  return applyTracking(planTracking(html), options);
}

function pixelTag(url: string): string {
  return `<img src="${escapeAttribute(url)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0" />`;
}
