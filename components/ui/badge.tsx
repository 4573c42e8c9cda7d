import { CircleAlert, CircleCheck, CircleDashed, CircleX, Info } from "lucide-react";
import type { Tone } from "@/lib/console/tone";
import { cn } from "./cn";

const TONES: Record<Tone, { className: string; Icon: typeof Info }> = {
  ok: { className: "bg-emerald-50 text-emerald-800 ring-emerald-600/30", Icon: CircleCheck },
  warn: { className: "bg-amber-50 text-amber-900 ring-amber-600/30", Icon: CircleAlert },
  bad: { className: "bg-red-50 text-red-800 ring-red-600/30", Icon: CircleX },
  neutral: { className: "bg-slate-100 text-slate-700 ring-slate-500/30", Icon: CircleDashed },
  info: { className: "bg-sky-50 text-sky-800 ring-sky-600/30", Icon: Info },
};

/** A status: always text plus colour plus icon, never colour alone. */
export function Badge({ tone, children, className }: { tone: Tone; children: React.ReactNode; className?: string }) {
  const { className: toneClass, Icon } = TONES[tone];
  return (
    <span className={cn("inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", toneClass, className)}>
      <Icon aria-hidden className="size-3.5" />
      {children}
    </span>
  );
}
