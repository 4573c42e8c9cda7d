"use client";

import { useId, useState } from "react";
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { cn } from "@/components/ui/cn";

export interface TrendSeries {
  key: string;
  label: string;
  /** A hex colour for the line; the toggle shows it beside the label (never colour alone). */
  color: string;
}

export interface TrendReferenceLine {
  value: number;
  label: string;
  tone: "warn" | "bad";
}

export type TrendPoint = { period: string } & Record<string, number | string | null>;

const REFERENCE_COLOURS = { warn: "#b45309", bad: "#b91c1c" } as const;

/**
 * A line chart of a trend with its series switchable by keyboard-operable toggles (buttons with aria-pressed). The
 * picture is hidden from assistive technology; the same figures are in a visually hidden table beside it.
 */
export function TrendChart(props: {
  title: string;
  /** What the chart shows in one sentence (read before the table). */
  summary: string;
  data: TrendPoint[];
  series: TrendSeries[];
  format: (value: number) => string;
  referenceLines?: TrendReferenceLine[];
  /** Series off at first (the rest shown). */
  initiallyHidden?: string[];
  testId?: string;
}) {
  const id = useId();
  const [hidden, setHidden] = useState<Set<string>>(() => new Set(props.initiallyHidden ?? []));
  const shown = props.series.filter((s) => !hidden.has(s.key));
  const toggle = (key: string) =>
    setHidden((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const titleId = `${id}-title`;
  return (
    <figure aria-labelledby={titleId} className="min-w-0" data-testid={props.testId}>
      <figcaption>
        <h3 id={titleId} className="text-sm font-semibold text-slate-900">
          {props.title}
        </h3>
        <p className="text-xs text-slate-600">{props.summary}</p>
      </figcaption>
      {props.series.length > 1 ? (
        <div role="group" aria-label={`Series in ${props.title}`} className="mt-2 flex flex-wrap gap-1.5">
          {props.series.map((s) => {
            const on = !hidden.has(s.key);
            return (
              <button
                key={s.key}
                type="button"
                aria-pressed={on}
                onClick={() => toggle(s.key)}
                className={cn(
                  "inline-flex items-center gap-1.5 rounded-full border px-2.5 py-0.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-700",
                  on ? "border-slate-400 bg-white text-slate-900" : "border-slate-200 bg-slate-100 text-slate-600 line-through",
                )}
              >
                <span aria-hidden className="inline-block size-2.5 rounded-full" style={{ backgroundColor: on ? s.color : "#cbd5e1" }} />
                {s.label}
              </button>
            );
          })}
        </div>
      ) : null}
      <div aria-hidden className="mt-3 h-56 w-full">
        {shown.length === 0 ? (
          <p className="flex h-full items-center justify-center text-sm text-slate-600">Every series is off: switch one on above.</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={props.data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid stroke="#e2e8f0" vertical={false} />
              <XAxis dataKey="period" tick={{ fontSize: 11, fill: "#475569" }} tickLine={false} minTickGap={16} />
              <YAxis tickFormatter={(v: number) => props.format(v)} tick={{ fontSize: 11, fill: "#475569" }} tickLine={false} axisLine={false} width={56} />
              <Tooltip formatter={(value) => (typeof value === "number" ? props.format(value) : String(value ?? "—"))} />
              {(props.referenceLines ?? []).map((line) => (
                <ReferenceLine
                  key={line.label}
                  y={line.value}
                  stroke={REFERENCE_COLOURS[line.tone]}
                  strokeDasharray="4 4"
                  ifOverflow="extendDomain"
                  label={{ value: line.label, position: "insideTopRight", fontSize: 11, fill: REFERENCE_COLOURS[line.tone] }}
                />
              ))}
              {shown.map((s) => (
                <Line key={s.key} type="linear" dataKey={s.key} name={s.label} stroke={s.color} strokeWidth={2} dot={props.data.length <= 31} isAnimationActive={false} connectNulls />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
      <table className="sr-only">
        <caption>{`${props.title}: the figures of the chart`}</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            {shown.map((s) => (
              <th key={s.key} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.data.map((point) => (
            <tr key={point.period}>
              <th scope="row">{point.period}</th>
              {shown.map((s) => {
                const value = point[s.key];
                return <td key={s.key}>{typeof value === "number" ? props.format(value) : "—"}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
