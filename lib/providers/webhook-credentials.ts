import { requireRole, type ServiceContext } from "../auth/context";
import { AppError, notFound } from "../errors";
import { loadProviderRows, readSecrets } from "./provider-configs";
import type { ProviderKind } from "./provider-kind";
import { providerModule } from "./registry";

/**
 * GET /api/v1/providers/{kind}/webhook-credentials (admin): the credentials we generated for the ESP to send with
 * (Postmark's basic-auth user and password), revealed on request only — list and detail reads show whether they
 * are set, never their values. A provider whose only webhook secret is the ESP's own (Mailgun's signing key) has
 * nothing to reveal.
 */
export async function revealWebhookCredentials(ctx: ServiceContext, kind: ProviderKind): Promise<{ credentials: Record<string, string> }> {
  requireRole(ctx, "admin");
  const row = (await loadProviderRows(ctx.database, ctx.workspaceId)).find((r) => r.kind === kind);
  if (!row) throw notFound(`Provider ${kind}`);
  const reveal = providerModule(kind).webhook?.reveal;
  if (!reveal) throw new AppError("not_found", `${kind} has no webhook credentials of ours to reveal`);
  return { credentials: reveal({ secrets: readSecrets(row), webhookUsername: row.webhookUsername }) };
}
