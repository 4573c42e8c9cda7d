"use client";

import { useActionState } from "react";
import { createKeyAction, type CreateKeyState } from "./actions";

export function CreateApiKeyForm() {
  const [state, action, pending] = useActionState<CreateKeyState, FormData>(createKeyAction, {});
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="font-medium">Create an API key</h2>
      <form action={action} className="mt-4 flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="block text-slate-700">Name</span>
          <input name="name" required className="mt-1 rounded-md border border-slate-300 px-3 py-2 text-sm" placeholder="Production server" />
        </label>
        <label className="text-sm">
          <span className="block text-slate-700">Scope</span>
          <select name="scope" className="mt-1 rounded-md border border-slate-300 px-3 py-2 text-sm" defaultValue="full">
            <option value="full">Full access</option>
            <option value="send">Send only</option>
          </select>
        </label>
        <button type="submit" disabled={pending} className="rounded-md bg-sky-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-60">
          Create key
        </button>
      </form>
      {state.error ? (
        <p role="alert" className="mt-3 text-sm text-red-600">
          {state.error}
        </p>
      ) : null}
      {state.created ? (
        <div className="mt-4 rounded-md bg-amber-50 p-4 text-sm">
          <p className="font-medium">Copy your new key now: it is shown only once.</p>
          <code data-testid="new-api-key" className="mt-2 block break-all rounded bg-white p-2 font-mono">
            {state.created.key}
          </code>
        </div>
      ) : null}
    </div>
  );
}
