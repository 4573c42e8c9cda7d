import { requireUser } from "@/lib/console/require-user";
import { ConsoleNav } from "@/components/layout/console-nav";
import { ConsoleProviders } from "@/components/layout/console-providers";
import { SignOutButton } from "@/components/layout/sign-out-button";
import { WorkspaceSwitcher } from "@/components/layout/workspace-switcher";
import { Mail } from "lucide-react";

export const dynamic = "force-dynamic";

/** The signed-in console: the session is checked once here (requireUser is memoized per request for the page). */
export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  return (
    <ConsoleProviders>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <div className="flex min-h-screen">
        <aside className="w-56 shrink-0 border-r border-slate-200 bg-white px-3 py-4">
          <div className="mb-6 flex items-center gap-2 px-2 font-semibold text-slate-900">
            <Mail aria-hidden className="size-5 text-sky-700" />
            PenguinMails
          </div>
          <ConsoleNav />
        </aside>
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex items-center justify-end gap-4 border-b border-slate-200 bg-white px-6 py-2.5 text-sm text-slate-700">
            <p data-testid="current-user">
              <WorkspaceSwitcher current={user.workspaceId} workspaces={user.workspaces} />
              <span className="mx-2 text-slate-400" aria-hidden>
                ·
              </span>
              {user.email}
              <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">role: {user.role}</span>
            </p>
            <SignOutButton />
          </header>
          <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-6 py-8">
            {children}
          </main>
        </div>
      </div>
    </ConsoleProviders>
  );
}
