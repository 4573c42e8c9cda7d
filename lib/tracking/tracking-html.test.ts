import { describe, expect, it } from "vitest";
import { rewriteHtmlForTracking } from "./tracking-html";

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
