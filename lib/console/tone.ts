export type Tone = "ok" | "warn" | "bad" | "neutral" | "info";
