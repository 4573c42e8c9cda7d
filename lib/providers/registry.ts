/**
 * Every provider kind → its module (style.md §5): a new ProviderKind fails to compile here until
 * `lib/providers/<kind>/index.ts` exists. Shared code asks the module; nothing outside lib/providers/<kind>/
 * branches on a provider's name. The console's client bundle uses config-registry.ts instead (no SDKs).
 */
import { AppError } from "@/lib/errors";
import { mailgunModule } from "./mailgun";
import { postmarkModule } from "./postmark";
import { sendgridModule } from "./sendgrid";
import { sesModule } from "./ses";
import { isProviderKind, PROVIDER_KINDS, type ProviderKind } from "./provider-kind";
import { smtpModule } from "./smtp";
import type { ProviderAdapter, ProviderModule } from "./types";

export const providerModules = {
  postmark: postmarkModule,
  mailgun: mailgunModule,
  sendgrid: sendgridModule,
  ses: sesModule,
  smtp: smtpModule,
} satisfies { [K in ProviderKind]: ProviderModule<K, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- each module its own config type

/** Each kind's adapter configuration, as its module defines it. */
export type ProviderConfigs = { [K in ProviderKind]: Parameters<(typeof providerModules)[K]["createAdapter"]>[0] };

export function providerModule(kind: ProviderKind): ProviderModule {
  return providerModules[kind] as unknown as ProviderModule;
}

export function createProviderAdapter<K extends ProviderKind>(kind: K, config: ProviderConfigs[K]): ProviderAdapter {
  return (providerModules[kind].createAdapter as (c: ProviderConfigs[K]) => ProviderAdapter)(config);
}

/** A kind from a URL or request body; anything else is the same 404 as an unknown route. */
export function parseProviderKind(value: string): ProviderKind {
  if (isProviderKind(value)) return value;
  throw new AppError("not_found", `Unknown provider "${value}"; use one of ${PROVIDER_KINDS.join(", ")}`);
}
