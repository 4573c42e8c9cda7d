import type { BounceClass, NormalizedEventType } from "@/lib/providers/normalized-event";

/** Our side of a sent copy, which a fixture event is made to be about. */
export interface SentCopy {
  messageId: string;
  recipientId: string;
  email: string;
  providerMessageId: string;
}

export interface ContractEvent {
  /** A sample body under test/fixtures/webhooks/<kind>/. */
  fixture: string;
  /** The normalized event it must become, or `ignored` (200, nothing stored, a reason given). */
  expect: { type: NormalizedEventType; bounceClass?: BounceClass } | "ignored";
}

/**
 * What the webhook contract suite needs from each provider with webhooks: how the ESP signs and posts, its sample
 * bodies for every documented event type, and an invalid one. `webhook` is what the providers API showed the
 * operator to paste into the ESP (URL, user name, password …).
 */
export interface WebhookContractFixtures {
  /** The PUT /api/v1/providers/{kind} body that connects it (secrets included). */
  connectBody: Record<string, unknown>;
  /** Provider message id as the ESP reports it in webhooks for a copy we sent. */
  providerMessageId(n: number): string;
  /** The fixture body, made to be about `copy`. */
  body(fixture: string, copy: SentCopy, now: Date): unknown;
  /** The request as the ESP posts it, authenticated. A second call for the same body is the ESP's retry. */
  authentic(url: string, body: unknown, webhook: Record<string, unknown>, now: Date): Request;
  /** Wrong credentials, and a body that would be refused (400) if it were read as trusted: must be a 401. */
  forged(url: string, webhook: Record<string, unknown>, now: Date): Request;
  /** No credentials at all (and the same untrusted body): 401. */
  unauthenticated(url: string, now: Date): Request;
  /** Authentic, but structurally not a webhook of this ESP: 400. */
  invalid(url: string, webhook: Record<string, unknown>, now: Date): Request;
  events: ContractEvent[];
}
