"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Controller, useForm, type FieldErrors, type Resolver } from "react-hook-form";
import { useState } from "react";
import type { ConfigField, ProviderConfigSpec } from "@/lib/providers/config-spec";
import { secretKey } from "@/lib/providers/config-spec";
import { ApiError } from "@/lib/console/api-client";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import { Switch } from "@/components/ui/switch";
import { initialValues, isAuthField, noAuthName, toBody, type FormValues } from "@/lib/console/provider-form-values";

export interface ProviderFormProps {
  spec: ProviderConfigSpec;
  /** Stored settings (null: not connected yet). */
  settings: unknown;
  /** Masked hints of stored secrets by storage key (`••••abcd`), never the values. */
  secretHints: Record<string, string | null>;
  enabled: boolean;
  readOnly: boolean;
  /** PUT the body; throws ApiError on refusal. */
  onSave: (body: Record<string, unknown>) => Promise<void>;
}

function errorAt(errors: FieldErrors, name: string): string | undefined {
  const at = name.split(".").reduce<unknown>((e, part) => (e && typeof e === "object" ? (e as Record<string, unknown>)[part] : undefined), errors);
  return (at as { message?: string } | undefined)?.message;
}

/**
 * One form for every provider, rendered from its module's client-safe spec and validated with the same zod schema
 * the API parses with (instant field errors); the server's field errors and the ESP's refusal come back onto it.
 */
export function ProviderForm({ spec, settings, secretHints, enabled, readOnly, onSave }: ProviderFormProps) {
  const connected = settings !== null;
  // Validate what would be sent (the API's own schema); on success hand the form's values on unchanged.
  const resolver: Resolver<FormValues> = async (values, context, options) => {
    const result = await (zodResolver(spec.schema as never) as unknown as Resolver<FormValues>)(toBody(spec, values, enabled), context, options);
    return Object.keys(result.errors).length ? result : { values, errors: {} };
  };
  const form = useForm<FormValues>({ defaultValues: initialValues(spec, settings ?? undefined), resolver, mode: "onTouched" });
  const [refusal, setRefusal] = useState<string | null>(null);
  const noAuth = form.watch(noAuthName) === true;

  const submit = form.handleSubmit(async (values) => {
    setRefusal(null);
    try {
      await onSave(toBody(spec, values, enabled));
      // Secrets are stored now: empty the fields again so the new masked hints show.
      for (const field of spec.fields) if (field.secret) form.setValue(field.name, "");
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      for (const issue of err.fields) form.setError(issue.field, { message: issue.message });
      setRefusal(err.message);
    }
  });

  const renderField = (field: ConfigField) => {
    const id = `${spec.kind}-${field.name.replace(/\./g, "-")}`;
    const error = errorAt(form.formState.errors, field.name);
    if (field.input === "checkbox") {
      return (
        <Controller
          key={field.name}
          control={form.control}
          name={field.name}
          render={({ field: f }) => <Switch id={id} label={field.label} help={field.help} checked={f.value === true} onCheckedChange={f.onChange} disabled={readOnly} />}
        />
      );
    }
    const hint = field.secret ? secretHints[secretKey(field)] : null;
    const help = field.secret
      ? [hint ? `Stored: ${hint}. Leave empty to keep it.` : connected ? "Nothing stored." : null, field.help].filter(Boolean).join(" ")
      : field.help;
    return (
      <Field key={field.name} id={id} label={field.label} help={help || undefined} error={error}>
        {(a11y) =>
          field.input === "select" ? (
            <select {...a11y} {...form.register(field.name)} className={inputClass}>
              {field.options?.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          ) : field.input === "textarea" ? (
            <textarea {...a11y} {...form.register(field.name)} rows={4} className={`${inputClass} font-mono`} placeholder={hint ? "Stored — paste a new key to replace it" : undefined} />
          ) : (
            <input
              {...a11y}
              {...form.register(field.name, field.input === "number" ? { valueAsNumber: true } : undefined)}
              type={field.input}
              autoComplete={field.secret ? "new-password" : "off"}
              placeholder={hint ?? undefined}
              className={inputClass}
            />
          )
        }
      </Field>
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-describedby={refusal ? `${spec.kind}-refusal` : undefined}>
      <fieldset disabled={readOnly || form.formState.isSubmitting} className="min-w-0">
        <legend className="sr-only">{spec.label} settings</legend>
        {spec.optionalAuth ? (
          <Controller
            control={form.control}
            name={noAuthName}
            render={({ field: f }) => <Switch id={`${spec.kind}-no-auth`} label={spec.optionalAuth!.label} checked={f.value === true} onCheckedChange={f.onChange} disabled={readOnly} />}
          />
        ) : null}
        {spec.fields.filter((field) => !(noAuth && isAuthField(spec, field))).map(renderField)}
      </fieldset>
      <div id={`${spec.kind}-refusal`} role="alert" className="mt-4 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 empty:hidden">
        {refusal ?? ""}
      </div>
      {readOnly ? null : (
        <Button type="submit" className="mt-6" disabled={form.formState.isSubmitting}>
          {form.formState.isSubmitting ? "Verifying with the provider…" : connected ? "Save and verify" : `Connect ${spec.label}`}
        </Button>
      )}
    </form>
  );
}
