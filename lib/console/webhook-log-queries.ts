"use client";
/** Settings → Webhooks' live data: TanStack queries over the JSON API, polled while the page is open. */
import { useQuery } from "@tanstack/react-query";
import type { KeysetPage } from "@/lib/pagination/keyset-cursor";
import type { WebhookRequestView, WebhookSummaryView } from "@/lib/webhooks/webhook-log-schema";
import { api } from "./api-client";
import { webhookLogSearch, type WebhookLogParams } from "./webhook-log-params";

/** Rejections are flushed every 5 s (lib/webhooks/rejection-counter.ts): a 5 s poll shows one within ~10 s. */
export const WEBHOOK_LOG_POLL_MS = 5_000;

export function useWebhookSummary(initialData: WebhookSummaryView) {
  return useQuery({
    queryKey: ["webhooks", "summary"],
    queryFn: ({ signal }) => api<WebhookSummaryView>("/api/v1/webhooks/summary", { signal }),
    initialData,
    refetchInterval: WEBHOOK_LOG_POLL_MS,
  });
}

/** The log page the URL names; only the newest page (no cursor) is polled, so an older page holds still while read. */
export function useWebhookLog(params: WebhookLogParams, initialData: KeysetPage<WebhookRequestView> | undefined) {
  const search = webhookLogSearch(params);
  return useQuery({
    queryKey: ["webhooks", "log", search],
    queryFn: ({ signal }) => api<KeysetPage<WebhookRequestView>>(`/api/v1/webhooks/log${search ? `?${search}` : ""}`, { signal }),
    initialData,
    refetchInterval: params.cursor ? false : WEBHOOK_LOG_POLL_MS,
  });
}
