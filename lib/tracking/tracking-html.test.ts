import { describe, expect, it } from "vitest";
import { applyTracking, MAX_TRACKED_LINKS, normalizeClickTarget, planTracking, rewriteHtmlForTracking } from "./tracking-html";

const clickUrl = (original: string) => `https://t.example.com/c?u=${encodeURIComponent(original)}`;
const pixel = "https://t.example.com/o/tok.en";

describe("rewriteHtmlForTracking", () => {
  it("rewrites http(s) links and adds the pixel before </body>", () => {
    const html = `<html><body><p><a href="https://example.com/a">A</a> <a class="x" href='http://example.com/b'>B</a></p></body></html>`;
    const out = rewriteHtmlForTracking(html, { clickUrl, openPixelUrl: pixel });
    expect(out).toContain(`<a href="https://t.example.com/c?u=https%3A%2F%2Fexample.com%2Fa">A</a>`);
    expect(out).toContain(`<a class="x" href="https://t.example.com/c?u=http%3A%2F%2Fexample.com%2Fb">B</a>`);
    expect(out).toMatch(/<img src="https:\/\/t\.example\.com\/o\/tok\.en" width="1" height="1" alt="" [^>]*\/><\/body><\/html>$/);
  });

  it("leaves mailto:, tel:, anchors, relative links and placeholders untouched", () => {
    const html = [
      `<a href="mailto:help@example.com">mail</a>`,
      `<a href="tel:+15551234">call</a>`,
      `<a href="#top">top</a>`,
      `<a href="/relative">rel</a>`,
      `<a href="%unsubscribe_url%">unsub</a>`,
      `<a name="anchor">no href</a>`,
    ].join("\n");
    expect(rewriteHtmlForTracking(html, { clickUrl })).toBe(html);
  });

  it("leaves the marked unsubscribe link and opted-out links untouched", () => {
    const html =
      `<a data-pm-unsubscribe href="https://app.example.com/u/tok">Unsubscribe</a>` +
      `<a href="https://example.com/raw" data-pm-no-track="true">raw</a>`;
    expect(rewriteHtmlForTracking(html, { clickUrl })).toBe(html);
  });

  it("decodes entities for the callback and escapes the result", () => {
    const seen: string[] = [];
    const html = `<a href="https://example.com/?a=1&amp;b=2">x</a>`;
    const out = rewriteHtmlForTracking(html, {
      clickUrl: (u) => {
        seen.push(u);
        return `https://t.example.com/c?x=1&y="2"`;
      },
    });
    expect(seen).toEqual(["https://example.com/?a=1&b=2"]);
    expect(out).toBe(`<a href="https://t.example.com/c?x=1&amp;y=&quot;2&quot;">x</a>`);
  });

  it("handles unquoted hrefs, upper case, and '>' inside other attribute values", () => {
    const html = `<A TITLE="a > b" HREF=https://example.com/u>u</A>`;
    expect(rewriteHtmlForTracking(html, { clickUrl })).toBe(
      `<A TITLE="a > b" HREF="https://t.example.com/c?u=https%3A%2F%2Fexample.com%2Fu">u</A>`,
    );
  });

  it("does not touch data-href, <area>/<link> tags or links inside comments", () => {
    const html =
      `<link href="https://example.com/style.css" rel="stylesheet">` +
      `<abbr title="x">a</abbr>` +
      `<a data-href="https://example.com/d">d</a>` +
      `<!--[if mso]><a href="https://example.com/mso">mso</a><![endif]-->`;
    expect(rewriteHtmlForTracking(html, { clickUrl })).toBe(html);
  });

  it("appends the pixel at the end when there is no </body>", () => {
    const out = rewriteHtmlForTracking("<p>Hello</p>", { openPixelUrl: pixel });
    expect(out.startsWith("<p>Hello</p><img ")).toBe(true);
  });

  it("puts the pixel before the last </body> (case-insensitive)", () => {
    const out = rewriteHtmlForTracking("<BODY>x</BODY >", { openPixelUrl: pixel });
    expect(out).toMatch(/^<BODY>x<img [^>]+\/><\/BODY >$/);
  });

  it("does nothing without options", () => {
    const html = `<a href="https://example.com">x</a></body>`;
    expect(rewriteHtmlForTracking(html, {})).toBe(html);
  });
});

describe("rewriteHtmlForTracking on hostile and real-world markup", () => {
  const both = { clickUrl, openPixelUrl: pixel };

  // These froze the process (quadratic regular expressions): each must now finish well inside the test timeout.
  it('"<a " × 100,000 (300 KB, never closed) is left as it is', () => {
    const html = "<a ".repeat(100_000);
    expect(rewriteHtmlForTracking(html, both)).toBe(html + rewriteHtmlForTracking("", { openPixelUrl: pixel }));
  });

  it('"</body>" × 100,000 gets one pixel, before the last one', () => {
    const html = "</body>".repeat(100_000);
    const out = rewriteHtmlForTracking(html, { openPixelUrl: pixel });
    expect(out.length - html.length).toBe(rewriteHtmlForTracking("", { openPixelUrl: pixel }).length);
    expect(out.endsWith("/></body>")).toBe(true);
  });

  it("10 MB of pathological HTML (unclosed tags, quotes, comments, links) is rewritten in one pass", () => {
    const chunk = `<a href="https://example.com/x">x</a><a title='>' <!-- <a href="https://e.com"> <a href=https://e.com/u `;
    const html = chunk.repeat(Math.ceil(10_000_000 / chunk.length));
    const out = rewriteHtmlForTracking(html, both);
    expect(out.length).toBeGreaterThan(html.length);
    expect((out.match(/t\.example\.com\/c\?u=/g) ?? []).length).toBeLessThanOrEqual(MAX_TRACKED_LINKS);
  });

  it("keeps Outlook conditional comments and their links byte for byte", () => {
    const mso = `<!--[if mso]><v:roundrect href="https://example.com/cta"><w:anchorlock/><center>Go</center></v:roundrect><![endif]--><!--[if !mso]><!--><a href="https://example.com/cta">Go</a><!--<![endif]-->`;
    const out = rewriteHtmlForTracking(mso, { clickUrl });
    expect(out.startsWith(`<!--[if mso]><v:roundrect href="https://example.com/cta"><w:anchorlock/><center>Go</center></v:roundrect><![endif]--><!--[if !mso]><!-->`)).toBe(true);
    expect(out).toContain(`<a href="https://t.example.com/c?u=https%3A%2F%2Fexample.com%2Fcta">Go</a><!--<![endif]-->`);
  });

  it("leaves malformed markup untouched around the links it rewrites", () => {
    const html = `<p <b>unclosed <i>tags</p></b><a href="https://example.com/ok" >ok</a> stray > and < and & <table><tr><td>cell`;
    const out = rewriteHtmlForTracking(html, { clickUrl });
    expect(out).toBe(html.replace(`"https://example.com/ok"`, `"https://t.example.com/c?u=https%3A%2F%2Fexample.com%2Fok"`));
  });

  it("does not rewrite links inside <script> or <style>", () => {
    const html = `<script>var s = '<a href="https://example.com/s">';</script><style>a[href="https://example.com/y"]{}</style>`;
    expect(rewriteHtmlForTracking(html, { clickUrl })).toBe(html);
  });

  it("normalizes targets with the URL standard: non-ASCII paths and hosts encoded, spaces escaped", () => {
    const seen: string[] = [];
    rewriteHtmlForTracking(`<a href="https://ru.wikipedia.org/wiki/Москва">a</a><a href="https://bücher.example/a b">b</a><a href="https://exa mple.com/">c</a>`, {
      clickUrl: (u) => (seen.push(u), u),
    });
    expect(seen).toEqual(["https://ru.wikipedia.org/wiki/%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0", "https://xn--bcher-kva.example/a%20b"]);
    expect(normalizeClickTarget("javascript:alert(1)")).toBeNull();
    expect(normalizeClickTarget("https://exa mple.com/")).toBeNull();
  });

  it("plans once and applies per recipient with the same result as a full rewrite", () => {
    const html = `<html><body><a href="https://example.com/a">a</a><a href='https://example.com/b'>b</a></body></html>`;
    const plan = planTracking(html);
    expect(plan.links).toHaveLength(2);
    expect(applyTracking(plan, both)).toBe(rewriteHtmlForTracking(html, both));
  });
});
