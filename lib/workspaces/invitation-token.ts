import { createHash } from "node:crypto";
import { randomToken } from "../ids";

/**
 * Invitation links carry a random token, not a signed one: single use and revocation need a stored row anyway, and
 * a 256-bit random value looked up by its SHA-256 is as unforgeable as an HMAC while storing nothing a database
 * reader could use (a signed token would also die with a rotated LINK_SIGNING_KEYS key). A fast hash is right here:
 * the token is high-entropy, so there is nothing to slow-hash against guessing (as for API keys).
 */
export const INVITATION_TOKEN_PREFIX = "pmi_";

export const newInvitationToken = () => `${INVITATION_TOKEN_PREFIX}${randomToken(32)}`;

export const hashInvitationToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export const invitationPath = (token: string) => `/invite/${encodeURIComponent(token)}`;
