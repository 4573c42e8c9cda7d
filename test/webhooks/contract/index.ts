import type { ProviderKind } from "@/lib/providers/provider-kind";
import { mailgunContract } from "./mailgun";
import { postmarkContract } from "./postmark";
import { sendgridContract } from "./sendgrid";
import { sesContract } from "./ses";
import type { WebhookContractFixtures } from "./types";

/**
 * Every provider kind's webhook contract fixtures; null for a module without webhooks (the suite checks that this
 * agrees with the module). A new kind fails to compile here until its fixtures exist.
 */
export const WEBHOOK_CONTRACTS = {
  postmark: postmarkContract,
  mailgun: mailgunContract,
  sendgrid: sendgridContract,
  ses: sesContract,
  smtp: null,
} satisfies Record<ProviderKind, WebhookContractFixtures | null>;
