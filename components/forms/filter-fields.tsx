"use client";

import { EMAIL_TYPES, PROVIDER_KINDS } from "@/lib/providers/provider-kind";
import { EMAIL_TYPE_LABELS } from "@/lib/console/provider-status";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { Field, inputClass } from "@/components/ui/field";

/**
 * The filter fields the console's list pages share (Activity, Dashboard): uncontrolled, named after the query
 * parameter they set, read back with FormData on submit.
 */
export function SelectFilter({
  id,
  name,
  label,
  options,
  anyLabel,
  defaultValue,
}: {
  id: string;
  name: string;
  label: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  anyLabel: string;
  defaultValue?: string;
}) {
  return (
    <Field id={id} label={label} className="mt-0">
      {(a11y) => (
        <select {...a11y} name={name} defaultValue={defaultValue ?? ""} className={inputClass}>
          <option value="">{anyLabel}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function TextFilter({ id, name, label, defaultValue }: { id: string; name: string; label: string; defaultValue?: string }) {
  return <Field id={id} label={label} className="mt-0">{(a11y) => <input {...a11y} name={name} defaultValue={defaultValue ?? ""} className={inputClass} />}</Field>;
}

export const PROVIDER_OPTIONS = PROVIDER_KINDS.map((k) => ({ value: k, label: providerConfigSpecs[k].label }));
export const TYPE_OPTIONS = EMAIL_TYPES.map((t) => ({ value: t, label: EMAIL_TYPE_LABELS[t] }));
