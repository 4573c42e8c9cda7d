"use client";
/** The console's shared TanStack queries: one key per API resource, so a mutation invalidates what it changed. */
import { useQuery } from "@tanstack/react-query";
import { api } from "./api-client";
import type { FailoverView, ProviderViewLike, RoutingView } from "./provider-status";

export const queryKeys = { providers: ["providers"], routing: ["routing"], failover: ["failover"] } as const;

/** Provider health is live: polled every 5 s while the page is open (the breaker and last error change on their own). */
export function useProviders(initialData?: ProviderViewLike[]) {
  return useQuery({
    queryKey: queryKeys.providers,
    queryFn: async ({ signal }) => (await api<{ data: ProviderViewLike[] }>("/api/v1/providers", { signal })).data,
    initialData,
    refetchInterval: 5_000,
  });
}

export function useRouting(initialData?: RoutingView) {
  return useQuery({ queryKey: queryKeys.routing, queryFn: ({ signal }) => api<RoutingView>("/api/v1/routing", { signal }), initialData });
}

export function useFailover(initialData?: FailoverView) {
  return useQuery({ queryKey: queryKeys.failover, queryFn: ({ signal }) => api<FailoverView>("/api/v1/failover", { signal }), initialData });
}
