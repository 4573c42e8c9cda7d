/**
 * Link signing keys rotate without breaking links already in inboxes: LINK_SIGNING_KEYS lists `kid:secret` pairs,
 * the first signs and every listed one verifies; links signed before any key set (no key id) keep verifying against
 * the instance secret that signed them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as unsubscribeGet } from "@/app/u/[token]/route";
import { parseEnv } from "@/lib/config/env";
import { unsubscribeUrl } from "@/lib/tracking/tracking-links";
import { createTestDatabase, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { setEnv } from "../support/env";

const OLD = "k2025:" + "o".repeat(40);
const NEW = "k2026:" + "n".repeat(40);
const link = () => unsubscribeUrl({ workspaceId: "ws_1", recipientId: "rcp_1", email: "reader@example.com" });
const opens = async (url: string) => (await unsubscribeGet(new Request(url), { params: Promise.resolve({ token: url.slice(url.lastIndexOf("/") + 1) }) })).status;

describe("link signing key rotation", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    useAsProcessDatabase(t.database);
  });
  afterAll(async () => {
    setEnv({ LINK_SIGNING_KEYS: undefined });
    await t?.drop();
  });

  it("keeps every earlier link working across two rotations, and drops a key only when it is removed", async () => {
    setEnv({ LINK_SIGNING_KEYS: undefined });
    const legacy = link();
    expect(legacy.split("/").pop()!.split(".")).toHaveLength(2); // no key id: the instance secret signed it

    setEnv({ LINK_SIGNING_KEYS: OLD });
    const signedOld = link();
    expect(signedOld.endsWith(".k2025")).toBe(true);

    setEnv({ LINK_SIGNING_KEYS: `${NEW},${OLD}` });
    const signedNew = link();
    expect(signedNew.endsWith(".k2026")).toBe(true);
    for (const url of [legacy, signedOld, signedNew]) expect(await opens(url)).toBe(200);

    // Retiring the old key ends its links (and only those); a forged key id is never accepted.
    setEnv({ LINK_SIGNING_KEYS: NEW });
    expect(await opens(signedOld)).toBe(400);
    expect(await opens(legacy)).toBe(200);
    expect(await opens(signedNew)).toBe(200);
    expect(await opens(signedNew.replace(/\.k2026$/, ".k2025"))).toBe(400);
  });

  it("refuses a malformed key set at start, naming the variable", () => {
    expect(() => parseEnv({ LINK_SIGNING_KEYS: "k1:short" })).toThrow(/LINK_SIGNING_KEYS/);
    expect(() => parseEnv({ LINK_SIGNING_KEYS: `${NEW},${NEW}` })).toThrow(/LINK_SIGNING_KEYS/);
  });
});
