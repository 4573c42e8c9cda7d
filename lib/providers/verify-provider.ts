import { createProviderAdapter } from "../esp/registry";
import { enableMailgunUnsubscribeTracking } from "../esp/mailgun";
import type { ProviderConfigs } from "../esp/types";
import type { VerifyProvider } from "./provider-configs";

/**
 * Verifies credentials against the ESP with a throwaway adapter (no mail is sent), and prepares what the saved
 * settings need on the ESP's side: Mailgun's own unsubscribe handling is the domain's unsubscribe tracking, switched
 * on here so a refusal stops the save like bad credentials do.
 */
export const verifyProvider: VerifyProvider = async (kind, config) => {
  const adapter = createProviderAdapter(kind, config);
  try {
    const result = await adapter.verify();
    if (result.status === "refused" || kind !== "mailgun" || !(config as ProviderConfigs["mailgun"]).unsubscribeHandling) return result;
    const tracking = await enableMailgunUnsubscribeTracking(config as ProviderConfigs["mailgun"]);
    return tracking.ok ? result : { status: "refused", reason: `could not enable unsubscribe tracking: ${tracking.reason}`, code: tracking.code };
  } finally {
    await adapter.close().catch(() => {});
  }
};
