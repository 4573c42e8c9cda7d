import { describe, expect, it } from "vitest";
import { resolveChain, type RoutingInput } from "./routing";
import type { ProviderKind } from "../providers/provider-kind";

const base: RoutingInput = {
  type: "transactional",
  rules: { transactional: "postmark", marketing: "mailgun", cold_outreach: "smtp", all_emails: null },
  defaultProvider: "postmark",
  failoverEnabled: true,
  failoverOrder: ["postmark", "mailgun", "smtp"],
  available: new Set<ProviderKind>(["postmark", "mailgun", "smtp"]),
};

describe("routing precedence", () => {
  it.each([
    ["transactional", ["postmark", "mailgun", "smtp"]],
    ["marketing", ["mailgun", "postmark", "smtp"]],
    ["cold_outreach", ["smtp", "postmark", "mailgun"]],
  ] as const)("routes %s by its type rule, then the failover order without the first hop", (type, chain) => {
    expect(resolveChain({ ...base, type })).toEqual(chain);
  });

  it("an explicit provider wins over every rule, and failover continues after it", () => {
    expect(resolveChain({ ...base, type: "marketing", requested: "smtp", rules: { ...base.rules, all_emails: "postmark" } })).toEqual(["smtp", "postmark", "mailgun"]);
  });

  it("the all-emails override wins over the type rule", () => {
    expect(resolveChain({ ...base, type: "marketing", rules: { ...base.rules, all_emails: "smtp" } })).toEqual(["smtp", "postmark", "mailgun"]);
  });

  it("falls to the default provider when the type has no rule", () => {
    expect(resolveChain({ ...base, type: "marketing", rules: { ...base.rules, marketing: null }, defaultProvider: "smtp" })[0]).toBe("smtp");
  });

  it("skips a rule that names a provider that is not connected", () => {
    expect(resolveChain({ ...base, type: "marketing", available: new Set<ProviderKind>(["postmark", "smtp"]) })).toEqual(["postmark", "smtp"]);
  });

  it("answers 422 naming an explicit provider that is not connected and enabled", () => {
    expect(() => resolveChain({ ...base, requested: "mailgun", available: new Set<ProviderKind>(["postmark"]) })).toThrow(/mailgun is not connected|Provider mailgun/);
  });

  it("fails clearly when no provider is connected", () => {
    expect(() => resolveChain({ ...base, available: new Set() })).toThrow(/No email provider is connected/);
  });

  it("with failover disabled the chain is the first hop only", () => {
    expect(resolveChain({ ...base, failoverEnabled: false })).toEqual(["postmark"]);
  });
});
