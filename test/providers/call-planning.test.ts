/** How adapters cut a batch into provider calls (pure functions; no emulator). */
import { describe, expect, it } from "vitest";
import { MAILGUN_MAX_RECIPIENTS, planBatchCalls } from "@/lib/providers/mailgun/adapter";
import { planPostmarkCalls, POSTMARK_BATCH_BUDGET_BYTES, POSTMARK_MAX_BATCH } from "@/lib/providers/postmark/adapter";
import type { RecipientCopy } from "@/lib/providers/types";

describe("planPostmarkCalls", () => {
  const sized = (bytes: number[]) => bytes.map((b, i) => ({ id: i, bytes: b }));

  it("cuts at 500 messages", () => {
    const calls = planPostmarkCalls(sized(Array(1201).fill(1_000)));
    expect(calls.map((c) => c.length)).toEqual([POSTMARK_MAX_BATCH, POSTMARK_MAX_BATCH, 201]);
  });

  it("cuts at the payload budget, brackets and commas included, keeping order", () => {
    // 9 MB each: four fit in 45 MB (36 MB + 5 bytes), a fifth would be over.
    const calls = planPostmarkCalls(sized(Array(12).fill(9_000_000)));
    expect(calls.map((c) => c.length)).toEqual([4, 4, 4]);
    expect(calls.flat().map((c) => c.id)).toEqual([...Array(12).keys()]);
    // Exactly at the budget still fits; one byte more does not.
    const exact = POSTMARK_BATCH_BUDGET_BYTES - 2 - 1; // "[" "]" and one comma
    expect(planPostmarkCalls(sized([exact - 10, 10])).map((c) => c.length)).toEqual([2]);
    expect(planPostmarkCalls(sized([exact - 10, 11])).map((c) => c.length)).toEqual([1, 1]);
  });

  it("a single message larger than the budget still gets its own call (the per-message check happens before)", () => {
    expect(planPostmarkCalls(sized([10, POSTMARK_BATCH_BUDGET_BYTES + 1, 10])).map((c) => c.length)).toEqual([1, 1, 1]);
  });
});

describe("Mailgun planBatchCalls", () => {
  let n = 0;
  const copy = (to: string, headers: Record<string, string> = {}): RecipientCopy => ({
    recipientId: `rcp_${++n}`, messageId: "msg_1", to, cc: [], bcc: [], headers,
  });
  const addresses = (call: { copies: RecipientCopy[] }) => call.copies.map((c) => c.to.toLowerCase());

  it("fills calls up to 1,000 recipients in order", () => {
    const copies = Array.from({ length: 2500 }, (_, i) => copy(`u${i}@example.org`));
    const calls = planBatchCalls(copies);
    expect(calls.map((c) => c.copies.length)).toEqual([MAILGUN_MAX_RECIPIENTS, MAILGUN_MAX_RECIPIENTS, 500]);
    expect(calls.flatMap((c) => c.copies)).toEqual(copies);
  });

  it("puts each address at most once per call, in the first call that can take it", () => {
    const copies = [copy("a@x.org"), copy("b@x.org"), copy("A@x.org"), copy("c@x.org"), copy("a@x.org"), copy("Bob <b@x.org>")];
    const calls = planBatchCalls(copies);
    expect(calls.map(addresses)).toEqual([
      ["a@x.org", "b@x.org", "c@x.org"],
      ["a@x.org", "bob <b@x.org>"],
      ["a@x.org"],
    ]);
  });

  it("a repeated address skips full calls and the calls that already hold it", () => {
    const copies = [...Array.from({ length: 999 }, (_, i) => copy(`u${i}@example.org`)), copy("dup@x.org"), copy("dup@x.org"), copy("z@x.org")];
    const calls = planBatchCalls(copies);
    expect(calls.map((c) => c.copies.length)).toEqual([1000, 2]);
    expect(addresses(calls[1])).toEqual(["dup@x.org", "z@x.org"]);
  });

  it("groups by the set of per-recipient header names", () => {
    const copies = [copy("a@x.org", { "List-Unsubscribe": "<1>" }), copy("b@x.org"), copy("c@x.org", { "List-Unsubscribe": "<2>" })];
    const calls = planBatchCalls(copies);
    expect(calls.map((c) => [c.headerNames, addresses(c)])).toEqual([
      [["List-Unsubscribe"], ["a@x.org", "c@x.org"]],
      [[], ["b@x.org"]],
    ]);
  });

  it("many repeats of many addresses: every call full, no address twice in a call", () => {
    const copies = Array.from({ length: 20_000 }, (_, i) => copy(`u${i % 5_000}@example.org`));
    const calls = planBatchCalls(copies);
    expect(calls.map((c) => c.copies.length)).toEqual(Array(20).fill(MAILGUN_MAX_RECIPIENTS));
    expect(calls.every((c) => new Set(addresses(c)).size === c.copies.length)).toBe(true);
  });
});
