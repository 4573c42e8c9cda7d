import type { Tone } from "./tone";

/** Recipient and message states as a badge tone (the text is the state itself). */
export function statusTone(status: string): Tone {
  if (["delivered", "sent"].includes(status)) return "ok";
  if (["queued", "sending", "deferred", "mixed"].includes(status)) return "warn";
  if (["bounced", "complained", "failed"].includes(status)) return "bad";
  return "neutral";
}
