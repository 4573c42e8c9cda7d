import * as Label from "@radix-ui/react-label";
import { cn } from "./cn";

export const inputClass =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-500 focus-visible:border-sky-600 focus-visible:outline-2 focus-visible:outline-sky-600 aria-[invalid=true]:border-red-600 disabled:bg-slate-100 disabled:text-slate-600";

/**
 * A labelled control with help and an error, tied together for assistive technology: the label's htmlFor, the
 * control's aria-describedby (help and error) and aria-invalid; the error is a live region so it is announced.
 */
export function Field(props: { id: string; label: string; help?: React.ReactNode; error?: string; className?: string; children: (a11y: FieldA11y) => React.ReactNode }) {
  const helpId = props.help ? `${props.id}-help` : undefined;
  const errorId = `${props.id}-error`;
  const describedBy = [helpId, props.error ? errorId : undefined].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("mt-4", props.className)}>
      <Label.Root htmlFor={props.id} className="block text-sm font-medium text-slate-800">
        {props.label}
      </Label.Root>
      {props.children({ id: props.id, "aria-describedby": describedBy, "aria-invalid": props.error ? true : undefined })}
      {props.help ? (
        <p id={helpId} className="mt-1 text-xs text-slate-600">
          {props.help}
        </p>
      ) : null}
      <p id={errorId} aria-live="polite" className="mt-1 text-sm text-red-700 empty:hidden">
        {props.error ?? ""}
      </p>
    </div>
  );
}

export interface FieldA11y {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}
