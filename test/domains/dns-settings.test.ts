import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { parseDnsServers } from "@/lib/domains/dns-lookup";
import { organizationalDomain, isAligned } from "@/lib/domains/dmarc";
import { dkimPublicKey } from "@/lib/domains/check-record";

describe("DNS settings and DMARC helpers", () => {
  it("DNS_SERVERS takes ip[:port] lists and refuses names", () => {
    expect(parseEnv({ DNS_SERVERS: "1.1.1.1, 127.0.0.1:5353, [::1]:53, 2001:db8::1" }).DNS_SERVERS).toBeDefined();
    expect(parseDnsServers("1.1.1.1, 127.0.0.1:5353")).toEqual(["1.1.1.1", "127.0.0.1:5353"]);
    expect(parseDnsServers("")).toBeUndefined();
    expect(() => parseEnv({ DNS_SERVERS: "dns.google" })).toThrow(/DNS_SERVERS/);
    expect(() => parseEnv({ DNS_SERVERS: "127.0.0.1:70000" })).toThrow(/DNS_SERVERS/);
  });

  it("finds the organizational domain by the public suffix list, and aligns by it", () => {
    expect(organizationalDomain("mg.example.com")).toBe("example.com");
    expect(organizationalDomain("mail.example.co.uk")).toBe("example.co.uk");
    // A private suffix (github.io): each user's site is its own organization.
    expect(organizationalDomain("news.alice.github.io")).toBe("alice.github.io");
    expect(isAligned("mg.example.co.uk", "example.co.uk", "relaxed")).toBe(true);
    expect(isAligned("mg.example.co.uk", "example.co.uk", "strict")).toBe(false);
    expect(isAligned("bob.github.io", "alice.github.io", "relaxed")).toBe(false);
  });

  it("compares DKIM records by their public key, whatever the spacing", () => {
    expect(dkimPublicKey("v=DKIM1; k=rsa; p=MIIB AQAB")).toBe("MIIBAQAB");
    expect(dkimPublicKey("k=rsa;p=MIGfMA0G")).toBe("MIGfMA0G");
    expect(dkimPublicKey("v=DKIM1; k=rsa")).toBeNull();
  });
});
