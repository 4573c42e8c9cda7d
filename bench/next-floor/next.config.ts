import path from "node:path";
import type { NextConfig } from "next";

/**
 * The framework floor: a minimal Next.js app served by the same `next` as the product (resolved from the repo's
 * node_modules). The repo root is the workspace root for Turbopack and output tracing, so Next does not guess it
 * from lockfiles and does not mistake this folder for a separate project.
 */
const root = path.join(__dirname, "..", "..");

const nextConfig: NextConfig = {
  poweredByHeader: false,
  turbopack: { root },
  outputFileTracingRoot: root,
};

export default nextConfig;
