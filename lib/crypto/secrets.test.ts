import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { decryptSecret, encryptSecret } from "./secrets";

describe("secret encryption (AES-256-GCM)", () => {
  const key = randomBytes(32);
  it("round-trips and never contains the plaintext", () => {
    const c = encryptSecret("hunter2-hunter2", key, "ws_1:postmark");
    expect(c.startsWith("v1.")).toBe(true);
    expect(c).not.toContain("hunter2");
    expect(decryptSecret(c, key, "ws_1:postmark")).toBe("hunter2-hunter2");
  });
  it("uses a fresh nonce each time", () => {
    expect(encryptSecret("x", key, "c")).not.toBe(encryptSecret("x", key, "c"));
  });
  it("fails on a wrong key, a wrong context or a flipped byte", () => {
    const c = encryptSecret("secret", key, "ctx");
    expect(() => decryptSecret(c, randomBytes(32), "ctx")).toThrow(/could not be decrypted/);
    expect(() => decryptSecret(c, key, "other")).toThrow(/could not be decrypted/);
    const raw = Buffer.from(c.slice(3), "base64url");
    raw[raw.length - 1]! ^= 1;
    expect(() => decryptSecret(`v1.${raw.toString("base64url")}`, key, "ctx")).toThrow(/could not be decrypted/);
  });
});
