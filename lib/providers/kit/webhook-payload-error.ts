import type { ProviderKind } from "../provider-kind";

export interface WebhookPayloadIssue {
  path: string;
  message: string;
}

/**
 * The webhook body is structurally invalid (not JSON object, required field missing or of the wrong type).
 * A route maps it to 400: distinct from a body that is valid but carries an event we do not handle (200, no event).
 */
export class WebhookPayloadError extends Error {
  readonly code = "webhook_payload_invalid" as const;

  constructor(
    readonly provider: ProviderKind,
    message: string,
    readonly issues: WebhookPayloadIssue[] = [],
  ) {
    super(message);
    this.name = "WebhookPayloadError";
  }
}
