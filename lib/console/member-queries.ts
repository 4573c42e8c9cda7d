"use client";
/** TanStack queries of Settings → Members: polled, so an accepted invitation shows up as a member by itself. */
import { useQuery } from "@tanstack/react-query";
import type { Role } from "@/db/schema/workspaces";
import { api } from "./api-client";

export interface MemberView {
  user_id: string;
  email: string;
  name: string | null;
  role: Role;
  joined_at: string;
}

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  status: "pending" | "expired";
  invited_by: string | null;
  created_at: string;
  expires_at: string;
  email_message_id: string | null;
}

export const memberQueryKeys = { members: ["members"], invitations: ["invitations"] } as const;

const POLL_MS = 10_000;

export function useMembers(initialData: MemberView[]) {
  return useQuery({
    queryKey: memberQueryKeys.members,
    queryFn: async ({ signal }) => (await api<{ data: MemberView[] }>("/api/v1/members", { signal })).data,
    initialData,
    refetchInterval: POLL_MS,
  });
}

export function useInvitations(initialData: InvitationView[]) {
  return useQuery({
    queryKey: memberQueryKeys.invitations,
    queryFn: async ({ signal }) => (await api<{ data: InvitationView[] }>("/api/v1/invitations", { signal })).data,
    initialData,
    refetchInterval: POLL_MS,
  });
}
