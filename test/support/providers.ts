import { saveProviderConfig, type VerifyProvider } from "@/lib/providers/provider-configs";
import { verifyProvider } from "@/lib/providers/verify-provider";
import type { ServiceContext } from "@/lib/auth/context";
import type { ProviderKind } from "@/lib/providers/provider-kind";

/**
 * Stores provider rows without contacting an ESP — for tests about the send API's own rules (validation,
 * idempotency, routing errors), where no mail leaves the queue. Tests that send use `connectProvider` with the
 * real verification against the emulators.
 */
const acceptAll: VerifyProvider = async () => ({ status: "verified", records: [] });

export async function storeProviderRows(ctx: ServiceContext, kinds: ProviderKind[]) {
  const bodies = {
    postmark: { api_token: "pm-server-token-test", default_sender: "ops@example.test" },
    mailgun: { api_key: "key-test", domain: "mg.example.test" },
    sendgrid: { api_key: "SG.key-test", default_sender: "ops@example.test" },
    ses: { region: "us-east-1", access_key_id: "AKIAKEYTEST000000000", secret_access_key: "secret-access-key-test-0000", default_sender: "ops@example.test" },
    smtp: { host: "127.0.0.1", port: 2525 },
  } satisfies Record<ProviderKind, unknown>;
  for (const kind of kinds) await saveProviderConfig(ctx, kind, bodies[kind], acceptAll);
}

/** Connects a provider the way the API does: verified against the (emulated) ESP. */
export async function connectProvider(ctx: ServiceContext, kind: ProviderKind, body: Record<string, unknown>) {
  return saveProviderConfig(ctx, kind, body, verifyProvider);
}

/** Points the app's ESP base URLs at emulators (the validated env is cached per process: drop the cache). */
export function useEspBaseUrls(urls: { postmark?: string; mailgun?: string; sendgrid?: string; ses?: string }) {
  if (urls.postmark !== undefined) process.env.POSTMARK_API_BASE_URL = urls.postmark;
  if (urls.mailgun !== undefined) process.env.MAILGUN_API_BASE_URL = urls.mailgun;
  if (urls.sendgrid !== undefined) process.env.SENDGRID_API_BASE_URL = urls.sendgrid;
  if (urls.ses !== undefined) process.env.AWS_ENDPOINT_URL_SESV2 = urls.ses;
  delete (globalThis as { __pmEnv?: unknown }).__pmEnv;
}
