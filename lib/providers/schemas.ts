import { z } from "zod";

/**
 * PUT /api/v1/providers/{kind} bodies; the settings screens validate with the same schemas. Secret fields may be
 * omitted on an update to keep the stored value (the API never returns them, so a form cannot echo them back).
 */
const secret = z.string().trim().min(1).max(500);
const sender = z.string().trim().min(3).max(320);

export const postmarkInput = z.object({
  enabled: z.boolean().default(true),
  api_token: secret.optional(),
  account_token: secret.optional(),
  default_sender: sender.optional(),
  track_opens: z.boolean().default(false),
  track_links: z.boolean().default(false),
  message_streams: z
    .object({ transactional: z.string().trim().min(1).max(100).default("outbound"), broadcast: z.string().trim().min(1).max(100).default("broadcast") })
    .default({ transactional: "outbound", broadcast: "broadcast" }),
});

export const mailgunInput = z.object({
  enabled: z.boolean().default(true),
  api_key: secret.optional(),
  domain: z.string().trim().min(3).max(253),
  region: z.enum(["us", "eu"]).default("us"),
  webhook_signing_key: secret.optional(),
  track_opens: z.boolean().default(false),
  track_clicks: z.boolean().default(false),
  unsubscribe_handling: z.boolean().default(false),
});

export const smtpInput = z.object({
  enabled: z.boolean().default(true),
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false),
  username: z.string().trim().max(320).optional(),
  password: secret.optional(),
  default_sender: sender.optional(),
  allow_self_signed: z.boolean().default(false),
  dkim: z
    .object({ domain: z.string().trim().min(3).max(253), selector: z.string().trim().min(1).max(63), private_key: z.string().trim().min(1).optional() })
    .optional(),
});

export const providerInputSchemas = { postmark: postmarkInput, mailgun: mailgunInput, smtp: smtpInput } as const;

export type PostmarkInput = z.infer<typeof postmarkInput>;
export type MailgunInput = z.infer<typeof mailgunInput>;
export type SmtpInput = z.infer<typeof smtpInput>;
