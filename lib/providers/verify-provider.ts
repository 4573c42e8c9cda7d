import { providerModule } from "./registry";
import type { VerifyProvider } from "./provider-configs";

/** The production verifier used on save: the module checks credentials and prepares the ESP side (registry.ts). */
export const verifyProvider: VerifyProvider = (kind, config) => providerModule(kind).verify(config);
