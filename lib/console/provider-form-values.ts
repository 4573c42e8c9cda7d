/**
 * Between the generic provider form's values and the PUT body (client-safe, pure): empty fields are left out, so an
 * untouched secret keeps its stored value and an emptied setting is removed; the "no authentication" switch sends its
 * fields as null. Nested fields use dotted names (`dkim.selector`).
 */
import type { ConfigField, ProviderConfigSpec } from "@/lib/providers/config-spec";

export type FormValues = Record<string, unknown>;

const NO_AUTH = "__no_auth";

function getPath(source: unknown, name: string): unknown {
  return name.split(".").reduce<unknown>((at, part) => (at !== null && typeof at === "object" ? (at as Record<string, unknown>)[part] : undefined), source);
}

function setPath(target: Record<string, unknown>, name: string, value: unknown): void {
  const parts = name.split(".");
  let at = target;
  for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
  at[parts.at(-1)!] = value;
}

/** The form's starting values from the stored settings (secrets always start empty: the browser never has them). */
export function initialValues(spec: ProviderConfigSpec, settings: unknown): FormValues {
  const values: FormValues = {};
  for (const field of spec.fields) {
    const stored = field.secret ? undefined : getPath(settings, field.name);
    const value = field.input === "checkbox" ? stored === true : field.input === "number" ? (typeof stored === "number" ? stored : undefined) : typeof stored === "string" ? stored : "";
    setPath(values, field.name, value);
  }
  if (spec.optionalAuth) values[NO_AUTH] = settings !== undefined && spec.optionalAuth.fields.every((name) => !getPath(settings, name));
  return values;
}

export const noAuthName = NO_AUTH;

export function isAuthField(spec: ProviderConfigSpec, field: ConfigField): boolean {
  return !!spec.optionalAuth?.fields.includes(field.name);
}

/** The PUT body for these values; `enabled` stays as it is (Disable/Enable change it). */
export function toBody(spec: ProviderConfigSpec, values: FormValues, enabled: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { enabled };
  const noAuth = values[NO_AUTH] === true;
  for (const field of spec.fields) {
    if (noAuth && isAuthField(spec, field)) {
      setPath(body, field.name, null);
      continue;
    }
    let value = getPath(values, field.name);
    if (typeof value === "string") value = value.trim();
    if (value === "" || value === undefined || (typeof value === "number" && Number.isNaN(value))) continue;
    setPath(body, field.name, value);
  }
  return body;
}
