"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { Activity, BadgeDollarSign, Ban, Globe, KeyRound, LayoutDashboard, Plug, Route, Shuffle, Users, Webhook } from "lucide-react";
import { cn } from "@/components/ui/cn";

const SECTIONS = [
  {
    label: null,
    items: [
      { href: "/", label: "Dashboard", Icon: LayoutDashboard },
      { href: "/activity", label: "Activity", Icon: Activity },
      { href: "/suppressions", label: "Suppressions", Icon: Ban },
    ],
  },
  {
    label: "Settings",
    items: [
      { href: "/settings/integrations", label: "Integrations", Icon: Plug },
      { href: "/settings/webhooks", label: "Webhooks", Icon: Webhook },
      { href: "/settings/routing", label: "Routing", Icon: Route },
      { href: "/settings/failover", label: "Failover", Icon: Shuffle },
      { href: "/settings/domains", label: "Domains", Icon: Globe },
      { href: "/settings/api-keys", label: "API keys", Icon: KeyRound },
      { href: "/settings/members", label: "Members", Icon: Users },
      { href: "/settings/cost", label: "Cost", Icon: BadgeDollarSign },
    ],
  },
];

const isCurrent = (pathname: string, href: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));

export function ConsoleNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Console" className="flex flex-col gap-5 text-sm">
      {SECTIONS.map((section) => (
        <div key={section.label ?? "main"}>
          {section.label ? <h2 className="mb-1 px-2 text-xs font-semibold tracking-wide text-slate-600 uppercase">{section.label}</h2> : null}
          <ul className="flex flex-col gap-0.5">
            {section.items.map(({ href, label, Icon }) => {
              const current = isCurrent(pathname, href);
              return (
                <li key={href}>
                  <Link
                    href={href}
                    aria-current={current ? "page" : undefined}
                    className={cn(
                      "flex items-center gap-2 rounded-md px-2 py-1.5 focus-visible:outline-2 focus-visible:outline-sky-700",
                      current ? "bg-sky-100 font-medium text-sky-900" : "text-slate-700 hover:bg-slate-100",
                    )}
                  >
                    <Icon aria-hidden className="size-4" />
                    {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}
