/**
 * Tag of the workspace's own invitation emails (lib/workspaces/invitation-email.ts). Their content carries a
 * single-use link that grants a role, so it is never shown — not the body on the message page, not an ESP payload
 * that may echo it (a bounce with the original message): a viewer reading Activity must not be able to take an
 * invitation meant for someone else.
 */
export const WITHHELD_BODY_TAG = "penguinmails-invitation";
