import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signLinkToken, verifyLinkToken } from "./signed-links";

const SECRET = "link-secret-for-tests";

describe("signLinkToken / verifyLinkToken", () => {
  const payload = { p: "unsub", r: "rcp_123", m: "msg_456" };

  it("round-trips the payload", () => {
    const token = signLinkToken(payload, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyLinkToken(token, SECRET)).toEqual(payload);
  });

  it("is URL-safe and deterministic", () => {
    const token = signLinkToken({ u: "https://example.com/a?b=c&d=e/+" }, SECRET);
    expect(encodeURIComponent(token)).toBe(token);
    expect(signLinkToken({ u: "https://example.com/a?b=c&d=e/+" }, SECRET)).toBe(token);
  });

  it("returns null for a tampered payload", () => {
    const token = signLinkToken(payload, SECRET);
    const [, mac] = token.split(".");
    const forgedBody = Buffer.from(JSON.stringify({ ...payload, r: "rcp_999" })).toString("base64url");
    expect(verifyLinkToken(`${forgedBody}.${mac}`, SECRET)).toBeNull();
  });

  it("returns null for a tampered signature", () => {
    const token = signLinkToken(payload, SECRET);
    const last = token.at(-2) === "A" ? "B" : "A"; // change a character that carries full bits
    expect(verifyLinkToken(token.slice(0, -2) + last + token.slice(-1), SECRET)).toBeNull();
  });

  it("accepts exactly one spelling of the signature (no unused-bit variants of the last character)", () => {
    const token = signLinkToken(payload, SECRET);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const accepted = [...alphabet].filter((c) => verifyLinkToken(token.slice(0, -1) + c, SECRET) !== null);
    expect(accepted).toEqual([token.at(-1)]);
  });

  it("returns null for another secret", () => {
    expect(verifyLinkToken(signLinkToken(payload, SECRET), "another-secret")).toBeNull();
  });

  it.each(["", ".", "abc", "a.b.c", "abc.", ".abc", "!!!.abc", `abc.${"A".repeat(42)}`, `abc.${"A".repeat(44)}`])(
    "returns null for malformed token %j",
    (token) => {
      expect(verifyLinkToken(token, SECRET)).toBeNull();
    },
  );

  it("returns null for a validly signed body that is not a JSON object", () => {
    const body = Buffer.from('"just a string"').toString("base64url");
    const mac = createHmac("sha256", SECRET).update(body).digest("base64url");
    expect(verifyLinkToken(`${body}.${mac}`, SECRET)).toBeNull();
  });

  it("refuses an empty secret", () => {
    expect(() => signLinkToken(payload, "")).toThrow(/not configured/);
    expect(() => verifyLinkToken("a.b", "")).toThrow(/not configured/);
  });
});
