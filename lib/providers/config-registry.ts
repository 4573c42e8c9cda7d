/**
 * Client-safe registry: every provider kind → its configuration spec (zod schema and form metadata) only. The console
 * renders one generic provider form from it; importing it never pulls an ESP SDK into the browser bundle.
 * The server registry (registry.ts) holds the same specs inside the full modules.
 */
import type { ProviderConfigSpec, ProviderPricing } from "./config-spec";
import type { ProviderKind } from "./provider-kind";
import { mailgunConfig, mailgunPricing } from "./mailgun/config";
import { postmarkConfig, postmarkPricing } from "./postmark/config";
import { sendgridConfig, sendgridPricing } from "./sendgrid/config";
import { sesConfig, sesPricing } from "./ses/config";
import { smtpConfig, smtpPricing } from "./smtp/config";

export const providerConfigSpecs = {
  postmark: postmarkConfig,
  mailgun: mailgunConfig,
  sendgrid: sendgridConfig,
  ses: sesConfig,
  smtp: smtpConfig,
} as const satisfies { [K in ProviderKind]: ProviderConfigSpec<K> };

/**
 * Each provider's published plans (the price book's defaults, lib/costs), client-safe so the Cost page can show them.
 * Partial: a provider without a price list is shown as not priced.
 */
export const providerPricing: { readonly [K in ProviderKind]?: ProviderPricing } = {
  postmark: postmarkPricing,
  mailgun: mailgunPricing,
  sendgrid: sendgridPricing,
  ses: sesPricing,
  smtp: smtpPricing,
};
