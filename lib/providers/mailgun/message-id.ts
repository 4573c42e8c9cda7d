/**
 * Mailgun's send response `id` has angle brackets (`<2026….@mg.example.com>`) while webhook
 * `message.headers["message-id"]` has none (esp-contracts.md §8.4). Both sides store the bare form through this.
 */
export function normalizeMailgunMessageId(id: string): string {
  return id.trim().replace(/^<+/, "").replace(/>+$/, "");
}
