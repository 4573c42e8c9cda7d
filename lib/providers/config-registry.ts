/**
 * Client-safe registry: every provider kind → its configuration spec (zod schema and form metadata) only. The console
 * renders one generic provider form from it; importing it never pulls an ESP SDK into the browser bundle.
 * The server registry (registry.ts) holds the same specs inside the full modules.
 */
import type { ProviderConfigSpec } from "./config-spec";
import type { ProviderKind } from "./provider-kind";
import { mailgunConfig } from "./mailgun/config";
import { postmarkConfig } from "./postmark/config";
import { smtpConfig } from "./smtp/config";

export const providerConfigSpecs = {
  postmark: postmarkConfig,
  mailgun: mailgunConfig,
  smtp: smtpConfig,
} as const satisfies { [K in ProviderKind]: ProviderConfigSpec<K> };
