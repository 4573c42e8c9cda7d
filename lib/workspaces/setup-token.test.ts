import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../config/env";
import { checkSetupToken, ensureSetupToken, retireSetupToken, setupTokenFile } from "./setup-token";

describe("one-time set-up token", () => {
  it("is generated once into DATA_DIR (owner-only), checked exactly, and gone after set-up", () => {
    const e = parseEnv({ DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "pm-setup-")) });
    const token = ensureSetupToken(e);
    expect(token).toMatch(/^[\w-]{24}$/);
    expect(ensureSetupToken(e)).toBe(token); // a restart prints the same one
    expect(fs.statSync(setupTokenFile(e)).mode & 0o777).toBe(0o600);
    expect(checkSetupToken(token, e)).toBe(true);
    expect(checkSetupToken(`${token}x`, e)).toBe(false);
    expect(checkSetupToken("", e)).toBe(false);
    retireSetupToken(e);
    expect(checkSetupToken(token, e)).toBe(false);
  });

  it("uses SETUP_TOKEN when the operator sets one (several web processes)", () => {
    const e = parseEnv({ DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "pm-setup-")), SETUP_TOKEN: "operator-chosen-token" });
    expect(ensureSetupToken(e)).toBe("operator-chosen-token");
    expect(checkSetupToken("operator-chosen-token", e)).toBe(true);
    expect(fs.existsSync(setupTokenFile(e))).toBe(false);
  });
});
