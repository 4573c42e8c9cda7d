import { createProviderAdapter } from "../esp/registry";
import type { VerifyProvider } from "./provider-configs";

/** Verifies credentials against the ESP with a throwaway adapter (no mail is sent). */
export const verifyProvider: VerifyProvider = async (kind, config) => {
  const adapter = createProviderAdapter(kind, config);
  try {
    return await adapter.verify();
  } finally {
    await adapter.close().catch(() => {});
  }
};
