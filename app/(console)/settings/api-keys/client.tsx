"use client";

import { useActionState } from "react";
import { KeyRound } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Field, inputClass } from "@/components/ui/field";
import { createKeyAction, type CreateKeyState } from "./actions";

export function CreateApiKeyForm() {
  const [state, action, pending] = useActionState<CreateKeyState, FormData>(createKeyAction, {});
  return (
    <Card aria-labelledby="create-key-title">
      <CardTitle id="create-key-title">Create an API key</CardTitle>
      <form action={action} className="flex flex-wrap items-end gap-3">
        <Field id="key-name" label="Name" error={state.error} className="min-w-64 flex-1">
          {(a11y) => <input {...a11y} name="name" required className={inputClass} placeholder="Production server" />}
        </Field>
        <Field id="key-scope" label="Scope">
          {(a11y) => (
            <select {...a11y} name="scope" className={inputClass} defaultValue="full">
              <option value="full">Full access</option>
              <option value="send">Send only</option>
            </select>
          )}
        </Field>
        <Button type="submit" disabled={pending} className="mb-0.5">
          <KeyRound aria-hidden className="size-4" /> Create key
        </Button>
      </form>
      {state.created ? (
        <div role="status" className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-4 text-sm">
          <p className="font-medium text-amber-950">Copy your new key now: it is shown only once.</p>
          <div className="mt-2 flex items-center gap-2">
            <code data-testid="new-api-key" className="min-w-0 flex-1 rounded bg-white p-2 font-mono break-all">
              {state.created.key}
            </code>
            <CopyButton value={state.created.key} label="API key" />
          </div>
        </div>
      ) : null}
    </Card>
  );
}
