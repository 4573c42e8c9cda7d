"use client";

import * as SwitchPrimitive from "@radix-ui/react-switch";
import * as Label from "@radix-ui/react-label";

/** An on/off setting with its label (a Radix switch: role="switch", Space toggles it). */
export function Switch(props: { id: string; label: string; checked: boolean; onCheckedChange: (value: boolean) => void; disabled?: boolean; help?: string }) {
  const helpId = props.help ? `${props.id}-help` : undefined;
  return (
    <div className="mt-4 flex items-start gap-3">
      <SwitchPrimitive.Root
        id={props.id}
        checked={props.checked}
        onCheckedChange={props.onCheckedChange}
        disabled={props.disabled}
        aria-describedby={helpId}
        className="relative mt-0.5 h-5 w-9 shrink-0 rounded-full bg-slate-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-700 disabled:opacity-60 data-[state=checked]:bg-sky-700"
      >
        <SwitchPrimitive.Thumb className="block size-4 translate-x-0.5 rounded-full bg-white shadow transition-transform data-[state=checked]:translate-x-[18px]" />
      </SwitchPrimitive.Root>
      <div>
        <Label.Root htmlFor={props.id} className="text-sm font-medium text-slate-800">
          {props.label}
        </Label.Root>
        {props.help ? (
          <p id={helpId} className="text-xs text-slate-600">
            {props.help}
          </p>
        ) : null}
      </div>
    </div>
  );
}
