import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native/wasm database drivers and Node-only SDKs load from node_modules at run time instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "postmark", "mailgun.js", "nodemailer", "bcryptjs"],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false, tsconfigPath: "tsconfig.build.json" },
};

export default nextConfig;
