import Link from "next/link";
import type { SessionUser } from "@/lib/auth/next-auth";
import { SignOutButton } from "./sign-out-button";

const NAV = [
  { href: "/", label: "Overview" },
  { href: "/settings/api-keys", label: "API keys" },
];

export function AppShell({ user, children }: { user: SessionUser; children: React.ReactNode }) {
  return (
    <div>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl items-center justify-between px-6 py-3">
          <div className="flex items-center gap-6">
            <span className="font-semibold">PenguinMails</span>
            <nav className="flex gap-4 text-sm">
              {NAV.map((item) => (
                <Link key={item.href} href={item.href} className="text-slate-600 hover:text-slate-900">
                  {item.label}
                </Link>
              ))}
            </nav>
          </div>
          <div className="flex items-center gap-4 text-sm text-slate-600">
            <span data-testid="current-user">
              {user.email} · {user.workspaceName} ({user.role})
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-5xl px-6 py-8">{children}</main>
    </div>
  );
}
