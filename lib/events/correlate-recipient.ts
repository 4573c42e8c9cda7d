import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { messageRecipients, type RecipientStatus } from "@/db/schema";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import type { NormalizedEvent } from "@/lib/providers/normalized-event";

export interface CorrelatedRecipient {
  id: string;
  messageId: string;
  email: string;
  provider: ProviderKind | null;
  status: RecipientStatus;
}

const columns = {
  id: messageRecipients.id,
  messageId: messageRecipients.messageId,
  email: messageRecipients.email,
  provider: messageRecipients.provider,
  status: messageRecipients.status,
};

/**
 * Finds our recipient row for an event (design.md "Correlation"):
 * 1. by the recipient id we sent in Metadata / user-variables, checked against the workspace (an id from another
 *    workspace is not ours to touch, so it falls through to step 2);
 * 2. else by (provider message id, address): Mailgun returns one id for a whole batch, so the address is needed.
 *    Without an address (Postmark's stripped Unsubscribe bounce) the id alone matches only when it is unambiguous.
 * null = an orphan event, stored anyway.
 */
export async function correlateRecipient(tx: DbOrTx, workspaceId: string, event: NormalizedEvent): Promise<CorrelatedRecipient | null> {
  if (event.ourRecipientId) {
    const [row] = await tx
      .select(columns)
      .from(messageRecipients)
      .where(and(eq(messageRecipients.workspaceId, workspaceId), eq(messageRecipients.id, event.ourRecipientId)));
    if (row) return row;
  }
  if (!event.providerMessageId) return null;
  const byProviderId = and(eq(messageRecipients.workspaceId, workspaceId), eq(messageRecipients.providerMessageId, event.providerMessageId));
  if (event.recipient) {
    const [row] = await tx
      .select(columns)
      .from(messageRecipients)
      .where(and(byProviderId, sql`lower(${messageRecipients.email}) = ${event.recipient}`))
      .limit(1);
    return row ?? null;
  }
  const rows = await tx.select(columns).from(messageRecipients).where(byProviderId).limit(2);
  return rows.length === 1 ? rows[0]! : null;
}
