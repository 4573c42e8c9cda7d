/**
 * The invitation email: the product sends its own mail through the workspace's transactional route — the normal
 * send service (routing, failover, suppression, activity), as a `transactional` email from the workspace.
 */
import type { ServiceContext } from "../auth/context";
import { AppError } from "../errors";
import { loggableError, logger } from "../logger";
import { providerConfigSpecs } from "../providers/config-registry";
import { loadProviderRows } from "../providers/provider-configs";
import type { ProviderKind } from "../providers/provider-kind";
import { formatAddress, parseAddress } from "../sending/addresses";
import { resolveRoute } from "../sending/routing";
import { loadSendConfig } from "../sending/send-config";
import { sendEmail } from "../sending/send-email";

// Bodies with this tag are never shown in Activity (lib/sending/read-emails.ts WITHHELD_BODY_TAG): they hold the link.
import { WITHHELD_BODY_TAG } from "../events/withheld-body";
export const INVITATION_TAG = WITHHELD_BODY_TAG;

export type InvitationSender = { from: string; provider: ProviderKind; provider_label: string } | { from: null; reason: string };

/**
 * The `from` of invitation emails: the default sender of the first provider on the transactional route that has one
 * (the first hop's own when it has one; Mailgun has no default-sender setting, so a Mailgun-first route takes the
 * next hop's). Mail sent from a hop's default sender is what the operator already verified with that ESP. With no
 * provider, or none with a default sender, there is no address we could send from without guessing: the link is
 * only shown to copy.
 */
export async function invitationSender(ctx: ServiceContext): Promise<InvitationSender> {
  let chain: ProviderKind[];
  try {
    chain = resolveRoute({ type: "transactional", ...(await loadSendConfig(ctx.database.db, ctx.workspaceId)) }).map((h) => h.provider);
  } catch (err) {
    if (err instanceof AppError && err.code === "provider_not_configured") return { from: null, reason: "No email provider is connected and enabled in this workspace" };
    throw err;
  }
  const rows = await loadProviderRows(ctx.database, ctx.workspaceId);
  for (const kind of chain) {
    const sender = (rows.find((r) => r.kind === kind)?.settings as Record<string, unknown> | undefined)?.default_sender;
    const parsed = typeof sender === "string" ? parseAddress(sender) : null;
    if (parsed) return { from: formatAddress(parsed), provider: kind, provider_label: providerConfigSpecs[kind].label };
  }
  return { from: null, reason: "No provider on the transactional route has a default sender (set one in Settings → Integrations)" };
}

export type InvitationEmailResult = { status: "queued"; message_id: string; from: string } | { status: "not_sent"; reason: string };

export async function sendInvitationEmail(
  ctx: ServiceContext,
  invitation: { id: string; email: string; role: string; expiresAt: Date; url: string; workspaceName: string; inviter: string | null },
): Promise<InvitationEmailResult> {
  const sender = await invitationSender(ctx);
  if (sender.from === null) return { status: "not_sent", reason: sender.reason };
  const body = {
    from: sender.from,
    to: invitation.email,
    subject: `You are invited to ${invitation.workspaceName} on PenguinMails`,
    ...invitationContent(invitation),
    type: "transactional",
    // No click tracking: a redirect would carry (and its click event store) the link's token.
    track_links: false,
    track_opens: false,
    tags: [INVITATION_TAG],
    // The link's token is in the body: a later Activity view can recognise (and should not show) invitation bodies.
    metadata: { invitation_id: invitation.id },
  };
  try {
    const result = await sendEmail(ctx, body, { rawBody: JSON.stringify(body), idempotencyKey: `invitation-${invitation.id}` });
    const copy = result.body.recipients[0];
    if (copy?.status === "suppressed") return { status: "not_sent", reason: `${invitation.email} is on this workspace's suppression list` };
    return { status: "queued", message_id: result.body.id, from: sender.from };
  } catch (err) {
    // The invitation stands without its email: the operator copies the link instead, and sees why.
    if (err instanceof AppError) {
      const field = (err.details as { fields?: Array<{ field: string; message: string }> } | undefined)?.fields?.[0];
      return { status: "not_sent", reason: field ? `${err.message} (${field.field}: ${field.message})` : err.message };
    }
    logger.error("invitation email failed", { invitation: invitation.id, error: loggableError(err) });
    return { status: "not_sent", reason: "The email could not be queued" };
  }
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function invitationContent(i: { role: string; expiresAt: Date; url: string; workspaceName: string; inviter: string | null }) {
  const who = i.inviter ? `${i.inviter} invited you` : "You are invited";
  const expires = i.expiresAt.toUTCString();
  const text = `${who} to join the workspace "${i.workspaceName}" on PenguinMails as ${i.role}.\n\nAccept the invitation: ${i.url}\n\nThe link works once and expires on ${expires}. If you did not expect it, ignore this email.`;
  const html = `<p>${escapeHtml(who)} to join the workspace <strong>${escapeHtml(i.workspaceName)}</strong> on PenguinMails as ${escapeHtml(i.role)}.</p><p><a href="${escapeHtml(i.url)}">Accept the invitation</a></p><p>The link works once and expires on ${escapeHtml(expires)}. If you did not expect it, ignore this email.</p>`;
  return { text_body: text, html_body: html };
}
