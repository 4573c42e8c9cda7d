import { providerConfigSpecs } from "@/lib/providers/config-registry";

/** A provider kind's display name ("Postmark"); mail no provider accepted (suppressed, failed) is "No provider". */
export function providerLabel(kind: string | null | undefined): string {
  if (!kind) return "No provider";
  return kind in providerConfigSpecs ? providerConfigSpecs[kind as keyof typeof providerConfigSpecs].label : kind;
}

export const providerLabels: Record<string, string> = Object.fromEntries(Object.entries(providerConfigSpecs).map(([kind, spec]) => [kind, spec.label]));
