import { describe, expect, it } from "vitest";
import { canonicalJson, payloadDedupKey } from "./dedup-key";

describe("canonicalJson", () => {
  it("sorts keys recursively and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });
});

describe("payloadDedupKey", () => {
  it("is prefixed, stable under key order and sensitive to any value", () => {
    const key = payloadDedupKey("postmark:Open", { a: 1, b: "x" });
    expect(key).toMatch(/^postmark:Open:sha256:[0-9a-f]{64}$/);
    expect(payloadDedupKey("postmark:Open", { b: "x", a: 1 })).toBe(key);
    expect(payloadDedupKey("postmark:Open", { a: 2, b: "x" })).not.toBe(key);
    expect(payloadDedupKey("postmark:Click", { a: 1, b: "x" })).not.toBe(key);
  });
});
