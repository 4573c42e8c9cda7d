/**
 * Mailgun's findAccepted (the look-up before resending a copy whose worker died mid-call) against the emulator's
 * events API, through the real mailgun.js client: it finds exactly the copies Mailgun accepted, on its own domain.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createMailgunAdapter,
  MAILGUN_LOOKUP_ADDRESSES_PER_QUERY,
  MAILGUN_LOOKUP_MAX_REQUESTS,
  MAILGUN_LOOKUP_WINDOW_SLACK_MS,
  type MailgunConfig,
} from "@/lib/providers/mailgun/adapter";
import type { RecipientCopy, UncertainCopy } from "@/lib/providers/types";
import { startMailgunEmulator, type MailgunEmulator } from "@/test/emulators/mailgun-emulator";
import { makeContent, makeRecipients, oneMessage } from "./provider-harness";

const OTHER_DOMAIN = "mg.other.example";

describe("mailgun findAccepted (events API look-up)", () => {
  let mg: MailgunEmulator;
  const adapter = (overrides: Partial<MailgunConfig> = {}) =>
    createMailgunAdapter({ apiKey: mg.apiKey, domain: mg.domain, region: "us", trackOpens: false, trackClicks: false, unsubscribeHandling: false, baseUrl: mg.url, ...overrides });
  const uncertain = (copies: RecipientCopy[], since = new Date(Date.now() - 60_000)): UncertainCopy[] =>
    copies.map((c) => ({ recipientId: c.recipientId, messageId: c.messageId, to: c.to, since }));
  const sendAll = async (copies: RecipientCopy[], domain = mg.domain) => {
    const outcome = await adapter({ domain }).send(oneMessage(makeContent(`App <app@${domain}>`), copies));
    expect(outcome.results.every((r) => r.ok)).toBe(true);
    return new Map(outcome.results.map((r) => [r.recipientId, r.ok ? r.providerMessageId : ""]));
  };
  const eventRequests = () => mg.requests.filter((r) => r.path.includes("/events"));

  beforeAll(async () => {
    mg = await startMailgunEmulator({ domains: [{ name: "mg.example.com", state: "active" }, { name: OTHER_DOMAIN, state: "active" }] });
  });
  afterAll(() => mg.close());
  beforeEach(() => mg.reset());

  it("returns exactly the copies Mailgun accepted, batched or solo, with the id the send answered", async () => {
    const batched = makeRecipients(3, "batch");
    const solo = makeRecipients(1, "solo", { cc: ["cc@example.org"] });
    const ids = new Map([...(await sendAll(batched)), ...(await sendAll(solo))]);
    // Never sent: a copy whose call never reached Mailgun, and another message's copy to an address that got one.
    const lost = makeRecipients(1, "lost");
    const sameAddress = makeRecipients(1, "again").map((c) => ({ ...c, to: batched[0]!.to }));

    const found = await adapter().findAccepted!(uncertain([...batched, ...solo, ...lost, ...sameAddress]));
    expect(Object.fromEntries(found)).toEqual(Object.fromEntries([...batched, ...solo].map((c) => [c.recipientId, ids.get(c.recipientId)])));
    // One query for the set: accepted events of these recipients, in the window since the lost claim.
    expect(eventRequests()).toHaveLength(1);
    const q = eventRequests()[0]!.query;
    expect(q.get("event")).toBe("accepted");
    expect(q.get("ascending")).toBe("yes");
    expect(q.get("recipient")!.split(" OR ")).toHaveLength(5);
    // From the claim's start less the slack, up to Mailgun's present (no `end`: our clock plays no part).
    expect(Number(q.get("begin"))).toBeLessThanOrEqual((Date.now() - 60_000 - MAILGUN_LOOKUP_WINDOW_SLACK_MS) / 1000);
    expect(q.get("end")).toBeNull();
  });

  it("finds nothing for another domain's (another workspace's) copies, nor before the lost claim began", async () => {
    const mine = makeRecipients(2, "mine");
    const theirs = makeRecipients(2, "theirs");
    await sendAll(mine);
    await sendAll(theirs, OTHER_DOMAIN);
    expect([...(await adapter().findAccepted!(uncertain([...mine, ...theirs]))).keys()].sort()).toEqual(mine.map((c) => c.recipientId).sort());
    expect([...(await adapter({ domain: OTHER_DOMAIN }).findAccepted!(uncertain(mine))).keys()]).toEqual([]);
    // Accepted before the window (the claim began later than the slack allows): not this claim's copy.
    const later = new Date(Date.now() + MAILGUN_LOOKUP_WINDOW_SLACK_MS + 60_000);
    expect((await adapter().findAccepted!(uncertain(mine, later))).size).toBe(0);
  });

  it("follows the events API's pages (300 a page) to a copy further down", async () => {
    const addresses = makeRecipients(MAILGUN_LOOKUP_ADDRESSES_PER_QUERY, "busy").map((c) => c.to);
    // 13 messages to the same 25 addresses: 325 accepted events, the one we look for among the last.
    let last: RecipientCopy[] = [];
    for (let i = 0; i < 13; i++) {
      last = makeRecipients(addresses.length, "busy").map((c, j) => ({ ...c, to: addresses[j]! }));
      await sendAll(last);
    }
    const wanted = last.slice(-1);
    const found = await adapter().findAccepted!(uncertain(wanted));
    expect([...found.keys()]).toEqual([wanted[0]!.recipientId]);
    expect(eventRequests().length).toBe(1); // one address: 13 events, one page
    mg.requests.length = 0;
    const all = await adapter().findAccepted!(uncertain(last));
    expect(all.size).toBe(25);
    expect(eventRequests().map((r) => r.path)).toEqual([`/v3/${mg.domain}/events`, expect.stringMatching(new RegExp(`^/v3/${mg.domain}/events/[\\w-]+$`))]);
  });

  it("is bounded: sets of addresses, one query each, at most MAILGUN_LOOKUP_MAX_REQUESTS; a failed query is a miss", async () => {
    const many = makeRecipients(MAILGUN_LOOKUP_ADDRESSES_PER_QUERY * (MAILGUN_LOOKUP_MAX_REQUESTS + 2), "never");
    expect((await adapter().findAccepted!(uncertain(many))).size).toBe(0);
    expect(eventRequests()).toHaveLength(MAILGUN_LOOKUP_MAX_REQUESTS);

    const sent = makeRecipients(2, "down");
    await sendAll(sent);
    mg.faults.inject({ kind: "status", status: 500, body: { message: "Internal Server Error" } }, { path: `/v3/${mg.domain}/events` });
    expect((await adapter().findAccepted!(uncertain(sent))).size).toBe(0); // resent, as without a look-up
  });

  it("the emulator's events API refuses what Mailgun refuses", async () => {
    const get = (query: string) => fetch(`${mg.url}/v3/${mg.domain}/events?${query}`, { headers: { authorization: `Basic ${Buffer.from(`api:${mg.apiKey}`).toString("base64")}` } });
    expect((await get("limit=301")).status).toBe(400);
    expect((await get("begin=1700000000")).status).toBe(400); // no end and no ascending
    expect((await get("begin=nonsense&ascending=yes")).status).toBe(400);
    const ok = await get("begin=1700000000&ascending=yes&limit=5");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ items: [], paging: { next: expect.stringContaining(`/v3/${mg.domain}/events/`) } });
  });
});
