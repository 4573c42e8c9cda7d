import { z } from "zod";
import { SUPPRESSION_REASONS } from "./reasons";
import { isStorableString } from "@/lib/validation";

export const suppressionEmail = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email("Enter a valid email address").max(320));

/** POST /api/v1/suppressions (JSON). Only operators add entries by hand: the other reasons come from events. */
export const addSuppressionSchema = z.object({
  email: suppressionEmail,
  reason: z.literal("manual").default("manual"),
  note: z.string().trim().max(500).optional(),
});
export type AddSuppressionInput = z.input<typeof addSuppressionSchema>;

export const listSuppressionsSchema = z.object({
  search: z.string().trim().max(320).refine(isStorableString, "contains a NUL character or an unpaired UTF-16 surrogate").optional(),
  reason: z.enum(SUPPRESSION_REASONS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListSuppressionsQuery = z.input<typeof listSuppressionsSchema>;

/**
 * PUT /api/v1/suppressions/settings (and the settings screen): an address is suppressed with `soft_bounce` once
 * `soft_bounce_threshold` different messages to it soft-bounced within `soft_bounce_window_days`.
 */
export const suppressionSettingsSchema = z.object({
  soft_bounce_threshold: z.number().int().min(1).max(100),
  soft_bounce_window_days: z.number().int().min(1).max(365),
});
export type SuppressionSettingsInput = z.input<typeof suppressionSettingsSchema>;
