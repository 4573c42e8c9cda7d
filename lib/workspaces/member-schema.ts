/**
 * Client-safe (zod and constants only): the shapes the members and invitations API validates, shared with the
 * Settings → Members forms and the invitation page, and the role rules the console mirrors (the services enforce).
 */
import { z } from "zod";
import type { Role } from "@/db/schema/workspaces";
import { ROLE_RANK } from "../auth/roles";

export const MEMBER_ROLES = ["owner", "admin", "member", "viewer"] as const satisfies readonly Role[];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Everything, including owners and members",
  admin: "Providers, routing, failover, keys, members (not owners)",
  member: "Sends and reads",
  viewer: "Reads only",
};

export const INVITATION_DEFAULT_DAYS = 7;
export const INVITATION_MAX_DAYS = 30;

export const inviteSchema = z.object({
  email: z.email("Enter a valid email address").max(320).transform((v) => v.toLowerCase()),
  role: z.enum(MEMBER_ROLES, "Choose owner, admin, member or viewer"),
  expires_in_days: z.number().int().min(1).max(INVITATION_MAX_DAYS).default(INVITATION_DEFAULT_DAYS),
});
export type InviteInput = z.input<typeof inviteSchema>;

export const changeRoleSchema = z.object({ role: z.enum(MEMBER_ROLES, "Choose owner, admin, member or viewer") });

export const PASSWORD_MIN = 8;
/** New accounts: the same password rule as set-up and the CLI (lib/workspaces/setup-workspace.ts). */
export const newAccountSchema = z.object({
  password: z.string().min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`).max(200),
  name: z.string().trim().max(100).optional(),
});

export const acceptSchema = z.object({
  token: z.string().min(1).max(200),
  password: newAccountSchema.shape.password.optional(),
  name: newAccountSchema.shape.name,
});

/**
 * Who may give or take which role (decided here, enforced by the services, mirrored by the console):
 * - admins and owners manage members and invitations; members and viewers only read the list;
 * - only an owner may invite an owner, make someone an owner, or change or remove an owner;
 * - the last owner can be neither demoted nor removed (checked against the database, not here).
 */
export function canAssignRole(actor: Role, role: Role): boolean {
  return ROLE_RANK[actor] >= ROLE_RANK.admin && (role !== "owner" || actor === "owner");
}

export function canManageMember(actor: Role, target: Role): boolean {
  return ROLE_RANK[actor] >= ROLE_RANK.admin && (target !== "owner" || actor === "owner");
}
