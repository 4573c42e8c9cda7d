import type { ProviderAdapter, VerifyResult } from "../types";

/**
 * Verification with a throwaway adapter (no mail is sent), then what the saved settings need on the ESP's side
 * (`prepare`, run only when the credentials were accepted). The adapter's pooled connections are always released.
 */
export async function verifyWithAdapter(adapter: ProviderAdapter, prepare?: () => Promise<VerifyResult | null>): Promise<VerifyResult> {
  try {
    const result = await adapter.verify();
    if (result.status === "refused" || !prepare) return result;
    return (await prepare()) ?? result;
  } finally {
    await adapter.close().catch(() => {});
  }
}
