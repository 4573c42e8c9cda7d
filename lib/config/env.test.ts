import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("environment validation", () => {
  it("applies defaults and treats empty strings as unset", () => {
    const e = parseEnv({ PORT: "", DATA_DIR: "" });
    expect(e.PORT).toBe(3000);
    expect(e.DATA_DIR).toBe("./.data");
    expect(e.DATABASE_URL).toBeUndefined();
  });
  it("names the bad variable", () => {
    expect(() => parseEnv({ PORT: "abc" })).toThrow(/PORT/);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgres/);
    expect(() => parseEnv({ APP_ENCRYPTION_KEY: "short" })).toThrow(/APP_ENCRYPTION_KEY/);
  });
  it("accepts a 32-byte key as hex or base64", () => {
    expect(() => parseEnv({ APP_ENCRYPTION_KEY: "a".repeat(64) })).not.toThrow();
    expect(() => parseEnv({ APP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") })).not.toThrow();
  });
});
