import type { NextConfig } from "next";

/**
 * Pages people open in a browser (the console, sign-in, set-up, the unsubscribe confirmation) may not be framed by
 * another site (clickjacking), are not MIME-sniffed, and send only their origin as referrer. The JSON API, webhooks
 * and the tracking redirects are not pages and skip this (the send API is the hot path).
 */
const PAGE_SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
];

const nextConfig: NextConfig = {
  // Native/wasm database drivers and Node-only SDKs load from node_modules at run time instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "postmark", "mailgun.js", "@sendgrid/mail", "@sendgrid/client", "@aws-sdk/client-sesv2", "nodemailer", "bcryptjs", "pino"],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false, tsconfigPath: "tsconfig.build.json" },
  async headers() {
    return [{ source: "/((?!api/|webhooks/|t/|_next/).*)", headers: PAGE_SECURITY_HEADERS }];
  },
};

export default nextConfig;
