"use client";

import * as ToastPrimitive from "@radix-ui/react-toast";
import { createContext, useCallback, useContext, useState } from "react";
import { X } from "lucide-react";
import { cn } from "./cn";

interface ToastItem {
  id: number;
  title: string;
  description?: string;
  tone: "ok" | "bad";
}

const ToastContext = createContext<(toast: Omit<ToastItem, "id">) => void>(() => {});

/** Results of actions, announced by the Radix toast viewport (an aria-live region); F8 focuses it. */
export function ToastProvider({ children }: { children: React.ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const push = useCallback((toast: Omit<ToastItem, "id">) => setToasts((all) => [...all.slice(-3), { ...toast, id: Date.now() + Math.random() }]), []);
  return (
    <ToastContext.Provider value={push}>
      <ToastPrimitive.Provider duration={6000} label="Notification">
        {children}
        {toasts.map((t) => (
          <ToastPrimitive.Root
            key={t.id}
            type={t.tone === "bad" ? "foreground" : "background"}
            onOpenChange={(open) => (open ? null : setToasts((all) => all.filter((x) => x.id !== t.id)))}
            className={cn("flex items-start gap-3 rounded-md border bg-white p-4 shadow-lg", t.tone === "bad" ? "border-red-300" : "border-emerald-300")}
            data-testid="toast"
          >
            <div className="flex-1">
              <ToastPrimitive.Title className={cn("text-sm font-semibold", t.tone === "bad" ? "text-red-800" : "text-emerald-800")}>{t.title}</ToastPrimitive.Title>
              {t.description ? <ToastPrimitive.Description className="mt-1 text-sm text-slate-700">{t.description}</ToastPrimitive.Description> : null}
            </div>
            <ToastPrimitive.Close aria-label="Dismiss" className="rounded p-0.5 text-slate-600 hover:bg-slate-100">
              <X aria-hidden className="size-4" />
            </ToastPrimitive.Close>
          </ToastPrimitive.Root>
        ))}
        <ToastPrimitive.Viewport className="fixed right-4 bottom-4 z-50 flex w-96 max-w-[calc(100vw-2rem)] flex-col gap-2" />
      </ToastPrimitive.Provider>
    </ToastContext.Provider>
  );
}

export const useToast = () => useContext(ToastContext);
