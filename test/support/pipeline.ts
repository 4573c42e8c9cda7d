import { and, asc, eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import type { Database } from "@/db";
import { messageRecipients, sendAttempts } from "@/db/schema";
import { createProviderAdapter } from "@/lib/providers/registry";
import { Dispatcher } from "@/lib/sending/dispatcher";
import { sendEmail } from "@/lib/sending/send-email";
import { personalizeRecipient } from "@/lib/sending/personalize";
import type { ServiceContext } from "@/lib/auth/context";
import { startPostmarkEmulator, POSTMARK_TEST_SERVER_TOKEN } from "../emulators/postmark-emulator";
import { startMailgunEmulator, MAILGUN_TEST_API_KEY, MAILGUN_TEST_DOMAIN, MAILGUN_TEST_SIGNING_KEY } from "../emulators/mailgun-emulator";
import { startSmtpSink } from "../emulators/smtp-sink";
import { connectProvider, useEspBaseUrls } from "./providers";

/** A clock tests move by hand: retry delays are scheduled, so no test waits 30 real seconds. */
export class TestClock {
  constructor(public current = new Date()) {}
  now = () => new Date(this.current);
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export async function startEmulators() {
  const [postmark, mailgun, smtp] = await Promise.all([startPostmarkEmulator(), startMailgunEmulator(), startSmtpSink()]);
  useEspBaseUrls({ postmark: postmark.url, mailgun: mailgun.url });
  return {
    postmark,
    mailgun,
    smtp,
    async close() {
      await Promise.all([postmark.close(), mailgun.close(), smtp.close()]);
    },
  };
}
export type Emulators = Awaited<ReturnType<typeof startEmulators>>;

/** Connects all three providers to the emulators, verified on save like the API does. */
export async function connectAll(ctx: ServiceContext, emulators: Emulators) {
  await connectProvider(ctx, "postmark", { api_token: POSTMARK_TEST_SERVER_TOKEN, default_sender: "ops@example.com" });
  await connectProvider(ctx, "mailgun", { api_key: MAILGUN_TEST_API_KEY, domain: MAILGUN_TEST_DOMAIN, webhook_signing_key: MAILGUN_TEST_SIGNING_KEY });
  await connectProvider(ctx, "smtp", { host: "127.0.0.1", port: emulators.smtp.port, secure: false });
}

export function makeDispatcher(database: Database, clock: TestClock, options: { batchSize?: number; workerId?: string } = {}) {
  return new Dispatcher({ database, createAdapter: createProviderAdapter, clock: clock.now, personalize: personalizeRecipient, batchSize: options.batchSize ?? 1000, workerId: options.workerId });
}

export async function send(ctx: ServiceContext, body: Record<string, unknown>, now?: Date) {
  const full = { from: "Acme <ops@example.com>", subject: "Hello", html_body: "<p>Hello <a href=\"https://acme.example/x\">link</a></p>", text_body: "Hello", ...body };
  return (await sendEmail(ctx, full, { rawBody: JSON.stringify(full), now })).body;
}

export async function recipientsOf(database: Database, messageId: string) {
  return database.db.select().from(messageRecipients).where(eq(messageRecipients.messageId, messageId)).orderBy(asc(messageRecipients.id));
}

export async function attemptsOf(database: Database, recipientId: string) {
  return database.db.select().from(sendAttempts).where(and(eq(sendAttempts.recipientId, recipientId))).orderBy(asc(sendAttempts.startedAt), asc(sendAttempts.id));
}

/**
 * Waits until every lease held under claim tokens starting with `tokenPrefix` has ended on the database's clock (leases
 * are measured there, not on the process's): polls the rows, asserts nothing about how long it took.
 */
export async function waitForLeasesToEnd(database: Database, tokenPrefix: string, timeoutMs = 30_000) {
  await expect
    .poll(
      async () => {
        const [row] = await database.query<{ n: number }>(sql`
          select count(*)::int as n from message_recipients
           where left(locked_by, ${tokenPrefix.length}) = ${tokenPrefix} and status = 'sending' and locked_until > now()`);
        return row!.n;
      },
      { timeout: timeoutMs, interval: 50 },
    )
    .toBe(0);
}
