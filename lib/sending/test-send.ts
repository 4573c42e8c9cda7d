/**
 * POST /api/v1/providers/{kind}/test: one email through that provider's own adapter — no routing, no failover, so a
 * refusal is that provider's refusal. It is a test, not mail: no messages / message_recipients / send_attempts rows
 * (so it never reaches the activity list, analytics or cost), the circuit breaker is left alone, and the copy carries
 * `tst_` ids (its webhooks, if any, are stored as orphan events) and the tag `penguinmails-test` where the provider
 * takes tags. Lives in lib/sending rather than lib/providers: it validates addresses and suppression as the send API
 * does, and lib/providers must not import lib/sending (the folders would form a cycle).
 */
import { z } from "zod";
import { requireRole, type ServiceContext } from "../auth/context";
import { notFound, validationError } from "../errors";
import { newId } from "../ids";
import { loggableError, logger } from "../logger";
import { parseOrThrow } from "../validation";
import { adapterConfig, loadProviderRows } from "../providers/provider-configs";
import { providerCallTimeoutMs, redactUserinfo } from "../providers/kit/provider-calls";
import { createProviderAdapter, providerModule } from "../providers/registry";
import type { ProviderKind } from "../providers/provider-kind";
import type { ErrorClass, MessageContent, ProviderAdapter, RecipientCopy } from "../providers/types";
import { isSuppressed } from "../suppressions/is-suppressed";
import { addressKey, formatAddress, parseAddress } from "./addresses";
import { emailAddressSchema } from "./send-schema";

export const TEST_EMAIL_TAG = "penguinmails-test";

export const testSendSchema = z.object({
  to: emailAddressSchema("to"),
  from: emailAddressSchema("from").optional(),
  subject: z.string().trim().min(1).max(998).regex(/^[^\r\n]*$/, "subject is one line").optional(),
});

export type TestSendResult =
  | { status: "accepted"; provider: ProviderKind; provider_message_id: string; duration_ms: number }
  | { status: "failed"; provider: ProviderKind; error_class: ErrorClass; message: string; duration_ms: number };

/** What the ESP said, short and without credentials in URLs; never more than a line of the console. */
const MAX_MESSAGE_CHARS = 300;

export async function sendTestEmail(ctx: ServiceContext, kind: ProviderKind, body: unknown): Promise<TestSendResult> {
  requireRole(ctx, "admin");
  const input = parseOrThrow(testSendSchema, body);
  const row = (await loadProviderRows(ctx.database, ctx.workspaceId)).find((r) => r.kind === kind);
  if (!row) throw notFound(`Provider ${kind}`);
  const from = input.from ?? defaultSender(row.settings);
  if ((await isSuppressed(ctx.database, ctx.workspaceId, [addressKey(input.to)])).size) {
    throw validationError([{ field: "to", code: "suppressed", message: "This address is on the suppression list; remove it there to send it a test" }]);
  }
  const content = testContent(kind, from, input.subject);
  const copy: RecipientCopy = { recipientId: newId("tst"), messageId: newId("tst"), to: input.to, cc: [], bcc: [], headers: {} };
  const started = performance.now();
  const adapter = createProviderAdapter(kind, adapterConfig(row));
  try {
    const result = await callOnce(adapter, content, copy);
    const duration_ms = Math.round(performance.now() - started);
    logger.info("provider test email", { provider: kind, status: result.status, error_class: result.status === "failed" ? result.error_class : undefined, duration_ms });
    return { ...result, provider: kind, duration_ms } as TestSendResult;
  } finally {
    await adapter.close().catch(() => {});
  }
}

function defaultSender(settings: Record<string, unknown>): string {
  const parsed = typeof settings.default_sender === "string" ? parseAddress(settings.default_sender) : null;
  if (!parsed) {
    throw validationError([{ field: "from", code: "required", message: "This provider has no default sender: give a from address" }]);
  }
  return formatAddress(parsed);
}

function testContent(kind: ProviderKind, from: string, subject: string | undefined): MessageContent {
  const module = providerModule(kind);
  const label = module.config.label;
  const text = `This is a test email from PenguinMails, sent through ${label} to check the connection. No reply is needed.`;
  return {
    from,
    subject: subject ?? `PenguinMails test email via ${label}`,
    textBody: text,
    htmlBody: `<p>${text}</p>`,
    headers: {},
    tags: module.capabilities.maxTags > 0 ? [TEST_EMAIL_TAG] : [],
    metadata: {},
    trackOpens: false,
    trackLinks: false,
    type: "transactional",
    attachments: [],
  };
}

type CallResult = { status: "accepted"; provider_message_id: string } | { status: "failed"; error_class: ErrorClass; message: string };

/** One adapter call, bounded by the provider call timeout (the adapters' own timeouts, and this deadline over them). */
async function callOnce(adapter: ProviderAdapter, content: MessageContent, copy: RecipientCopy): Promise<CallResult> {
  const ms = providerCallTimeoutMs();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CallResult>((resolve) => {
    timer = setTimeout(() => resolve({ status: "failed", error_class: "retryable", message: `no answer within ${ms / 1000} s` }), ms);
  });
  const call = adapter.send({ messages: [{ content, recipients: [copy] }] }).then(
    (outcome): CallResult => {
      const result = outcome.results.find((r) => r.recipientId === copy.recipientId);
      if (!result) return { status: "failed", error_class: "retryable", message: "the provider returned no result" };
      if (result.ok) return { status: "accepted", provider_message_id: result.providerMessageId };
      return { status: "failed", error_class: result.error.class, message: redactUserinfo(result.error.message).slice(0, MAX_MESSAGE_CHARS) };
    },
    (err): CallResult => {
      // An adapter that throws has a bug or an unclassified failure: say so without repeating its text.
      logger.error("provider adapter threw on a test email", { provider: adapter.kind, error: loggableError(err) });
      return { status: "failed", error_class: "retryable", message: "the provider adapter failed unexpectedly" };
    },
  );
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
