/** Role order, client-safe: the console mirrors it to show read-only views; services enforce it (context.ts). */
import type { Role } from "@/db/schema/workspaces";

export const ROLE_RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export const atLeast = (role: Role, needed: Role) => ROLE_RANK[role] >= ROLE_RANK[needed];
