import { expect, test } from "@playwright/test";

/**
 * A malformed percent-escape in any route segment used to get a bare 500 from the framework before any handler ran
 * (it decodes route params first). proxy.ts answers these with the API's 400 envelope; this runs against the real
 * built app, since only the framework's router shows the problem.
 */
for (const [method, path] of [
  ["GET", "/api/v1/emails/%FF"],
  ["GET", "/t/c/%FF"],
  ["GET", "/t/o/%E0%A4%A"],
  ["GET", "/u/%FF"],
  ["POST", "/u/%C0%AF"],
  ["POST", "/webhooks/postmark/%FF"],
  ["POST", "/webhooks/%FF/hook"],
] as const) {
  test(`${method} ${path} → 400 with the error envelope`, async ({ request }) => {
    const res = await request.fetch(path, { method, data: method === "POST" ? "{}" : undefined, maxRedirects: 0 });
    expect(res.status()).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_request");
  });
}

test("a well-formed escape still reaches the route (401 for a missing key, not 400)", async ({ request }) => {
  const res = await request.get("/api/v1/emails/msg_%41");
  expect(res.status()).toBe(401);
});

test("console pages carry the security headers (no framing, no sniffing, same-origin referrer)", async ({ request }) => {
  for (const path of ["/login", "/setup", "/u/not-a-token"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    const headers = res.headers();
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("same-origin");
  }
});
