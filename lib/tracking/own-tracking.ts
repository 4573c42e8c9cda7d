import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/db";
import { messageRecipients } from "@/db/schema";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import { AppError } from "@/lib/errors";
import { loggableError, logger } from "@/lib/logger";
import { ingestEvents } from "@/lib/events/ingest-event";
import type { NormalizedEvent } from "@/lib/providers/normalized-event";
import { readClickToken, readOpenToken, readUnsubscribeToken } from "./tracking-links";
import { normalizeClickTarget } from "./tracking-html";

export interface RequestInfo {
  now: Date;
  userAgent?: string | null;
  ip?: string | null;
}

const badLink = () => new AppError("invalid_request", "This link is invalid or has been altered");

/**
 * Dedup keys for our own opens and clicks hold a one-minute time bucket: each open is its own event, but an image
 * proxy fetching the pixel twice, or a mail client re-rendering, within the same minute is one. A random id would
 * count every prefetch; a fixed key would merge distinct opens (design.md "Webhooks": never merge two opens).
 */
const minuteBucket = (now: Date) => now.toISOString().slice(0, 16);
const shortHash = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 16);

type OwnEventFields = Pick<NormalizedEvent, "type" | "dedupKey" | "provider" | "ourRecipientId"> & Partial<Pick<NormalizedEvent, "recipient" | "url" | "details">>;

/** Our own events: the address comes from the correlated recipient (or the unsubscribe token), the time is now. */
function ownEvent(fields: OwnEventFields, info: RequestInfo): NormalizedEvent {
  const details: Record<string, unknown> = { source: "own_tracking", ...fields.details };
  if (info.userAgent) details.userAgent = info.userAgent;
  if (info.ip) details.ip = info.ip;
  return { ...fields, recipient: fields.recipient ?? "", occurredAt: info.now, details, raw: null };
}

/**
 * GET /t/o/{token}: records an `opened` event under the provider that sent the copy (only providers without native
 * tracking get our pixel).
 */
export async function recordOpen(database: Database, token: string, info: RequestInfo): Promise<void> {
  const link = readOpenToken(token);
  if (!link) throw badLink();
  await recordBestEffort(database, link.w, link.r, (provider) =>
    ownEvent({ provider, type: "opened", ourRecipientId: link.r, dedupKey: `own:open:${link.r}:${minuteBucket(info.now)}` }, info),
  );
}

/**
 * Opens and clicks are counted best effort: a database hiccup must not break the image in someone's inbox or keep
 * them from the page they clicked. (Unsubscribes, by contrast, must be stored or answer an error.)
 */
async function recordBestEffort(database: Database, workspaceId: string, recipientId: string, event: (provider: ProviderKind) => NormalizedEvent): Promise<void> {
  try {
    const provider = await recipientProvider(database, workspaceId, recipientId);
    // No such recipient: its workspace was deleted (recipients go only with it), so there is nothing to attribute.
    if (provider) await ingestEvents(database, workspaceId, provider, [event(provider)]);
  } catch (err) {
    logger.error("could not record tracking event", { error: loggableError(err) });
  }
}

/**
 * GET /t/c/{token}: records `clicked` and returns the signed original URL, the only place we redirect to. The URL is
 * normalized by the URL standard first (links signed before normalization existed may hold raw non-ASCII or
 * spaces), so the redirect can always be answered; one that cannot be is refused before anything is recorded.
 */
export async function recordClick(database: Database, token: string, info: RequestInfo): Promise<string> {
  const link = readClickToken(token);
  const target = link && normalizeClickTarget(link.u);
  if (!link || !target) throw badLink();
  await recordBestEffort(database, link.w, link.r, (provider) =>
    ownEvent(
      { provider, type: "clicked", ourRecipientId: link.r, url: link.u, dedupKey: `own:click:${link.r}:${shortHash(link.u)}:${minuteBucket(info.now)}` },
      info,
    ),
  );
  return target;
}

/** Checks an unsubscribe token without changing anything (GET shows a confirmation page). */
export function readUnsubscribeLink(token: string): { email: string } {
  const link = readUnsubscribeToken(token);
  if (!link) throw badLink();
  return { email: link.e };
}

/**
 * POST /u/{token} (RFC 8058 one-click): records `unsubscribed` under the recipient's provider and suppresses the
 * address, in one transaction. One event per recipient: repeating the POST changes nothing.
 */
export async function recordUnsubscribe(database: Database, token: string, info: RequestInfo): Promise<{ email: string }> {
  const link = readUnsubscribeToken(token);
  if (!link) throw badLink();
  const provider = await recipientProvider(database, link.w, link.r);
  // Recipients are deleted only with their workspace: there is no list left to unsubscribe from.
  if (!provider) throw badLink();
  const event = ownEvent(
    { provider, type: "unsubscribed", recipient: link.e, ourRecipientId: link.r, dedupKey: `own:unsub:${link.r}`, details: { method: "one_click" } },
    info,
  );
  await ingestEvents(database, link.w, provider, [event]);
  return { email: link.e };
}

async function recipientProvider(database: Database, workspaceId: string, recipientId: string): Promise<ProviderKind | null> {
  const [row] = await database.db
    .select({ provider: messageRecipients.provider })
    .from(messageRecipients)
    .where(and(eq(messageRecipients.workspaceId, workspaceId), eq(messageRecipients.id, recipientId)));
  return row?.provider ?? null;
}
