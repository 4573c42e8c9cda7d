import { describe, expect, it } from "vitest";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { initialValues, noAuthName, toBody } from "./provider-form-values";

describe("the generic provider form's values", () => {
  it("start from the stored settings, with every secret empty (the browser never has them)", () => {
    const values = initialValues(providerConfigSpecs.postmark, { default_sender: "ops@example.com", track_opens: true, message_streams: { transactional: "outbound", broadcast: "news" } });
    expect(values).toMatchObject({ api_token: "", account_token: "", default_sender: "ops@example.com", track_opens: true, track_links: false, message_streams: { broadcast: "news" } });
  });

  it("leave an untouched secret out of the body so the stored value is kept, and send what was typed", () => {
    const spec = providerConfigSpecs.postmark;
    const untouched = toBody(spec, initialValues(spec, { default_sender: "ops@example.com" }), true);
    expect(untouched).not.toHaveProperty("api_token");
    expect(untouched).toMatchObject({ enabled: true, default_sender: "ops@example.com" });
    expect(toBody(spec, { ...initialValues(spec, {}), api_token: "  new-token " }, false)).toMatchObject({ enabled: false, api_token: "new-token" });
  });

  it("send the SMTP credentials as null under 'no authentication', and keep a relay's nested DKIM only when filled", () => {
    const spec = providerConfigSpecs.smtp;
    const stored = { host: "relay.internal", port: 25 };
    const values = initialValues(spec, stored);
    expect(values[noAuthName]).toBe(true);
    const body = toBody(spec, { ...values, username: "typed-then-switched-off" }, true);
    expect(body).toMatchObject({ host: "relay.internal", port: 25, username: null, password: null });
    expect(body).not.toHaveProperty("dkim");
    const withDkim = toBody(spec, { ...values, [noAuthName]: false, username: "u", password: "p", dkim: { domain: "example.com", selector: "s1", private_key: "" } }, true);
    expect(withDkim).toMatchObject({ username: "u", password: "p", dkim: { domain: "example.com", selector: "s1" } });
    expect(withDkim.dkim).not.toHaveProperty("private_key");
  });

  it("produce bodies the API's own schema accepts", () => {
    const spec = providerConfigSpecs.smtp;
    const body = toBody(spec, initialValues(spec, { host: "relay.internal", port: 587 }), true);
    expect(spec.schema.safeParse(body).success).toBe(true);
  });
});
