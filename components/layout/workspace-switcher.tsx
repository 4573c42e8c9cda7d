"use client";

import { useState } from "react";
import { switchWorkspace } from "@/lib/console/switch-workspace";

/**
 * The active workspace, and a switch between the user's workspaces when there are several. The page reloads in the
 * new workspace (every view is scoped to it); the server checks the membership on that request.
 */
export function WorkspaceSwitcher({ current, workspaces }: { current: string; workspaces: Array<{ id: string; name: string; role: string }> }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState("");
  const active = workspaces.find((w) => w.id === current);
  if (workspaces.length < 2) return <span className="font-medium text-slate-900">{active?.name}</span>;
  return (
    <span className="inline-flex items-center gap-2">
      <label htmlFor="workspace-switcher" className="sr-only">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        value={current}
        disabled={pending}
        onChange={async (event) => {
          setPending(true);
          setError("");
          try {
            await switchWorkspace(event.target.value);
            window.location.reload();
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
            setPending(false);
          }
        }}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm font-medium text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-700"
      >
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name} ({w.role})
          </option>
        ))}
      </select>
      <span role="alert" className="text-xs text-red-700 empty:hidden">
        {error}
      </span>
    </span>
  );
}
