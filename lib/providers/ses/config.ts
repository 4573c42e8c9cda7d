/** Amazon SES (v2)'s configuration, client-safe (zod and constants only): the PUT body schema and the form's fields. */
import { z } from "zod";
import type { ProviderConfigSpec, ProviderPricing } from "../config-spec";

/** An AWS region code (`us-east-1`, `eu-west-2`, `ap-southeast-2`, `us-gov-west-1`). */
export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** IAM access key ids: 16–128 upper-case letters and digits (`AKIA…` long-term, `ASIA…` temporary). */
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
/** Configuration set names: letters, digits, `_` and `-`, at most 64 characters (SES CreateConfigurationSet). */
export const CONFIGURATION_SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** arn:aws:sns:<region>:<account>:<topic> (also the aws-cn / aws-us-gov partitions). */
export const SNS_TOPIC_ARN = /^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** Omitted: keep the stored value; null: clear it (a required one then refuses the save). */
const accessKeyId = z.string().trim().regex(ACCESS_KEY_ID, "An AWS access key id is 16–128 upper-case letters and digits (AKIA…)").nullable();
const secretAccessKey = z.string().trim().min(16).max(128).nullable();

export const sesInput = z.object({
  enabled: z.boolean().optional(),
  region: z.string().trim().regex(AWS_REGION, "An AWS region code such as us-east-1"),
  access_key_id: accessKeyId.optional(),
  secret_access_key: secretAccessKey.optional(),
  configuration_set: z.string().trim().regex(CONFIGURATION_SET_NAME, "Configuration set names are letters, digits, _ and - (at most 64)").optional(),
  default_sender: z.string().trim().min(3).max(320).optional(),
  /** When set, only SNS messages of this topic are accepted at the webhook (any other topic: 401). */
  sns_topic_arn: z.string().trim().regex(SNS_TOPIC_ARN, "An SNS topic ARN: arn:aws:sns:<region>:<account id>:<topic name>").optional(),
});
export type SesInput = z.infer<typeof sesInput>;

export const SES_EVENT_TYPES = ["Send", "Delivery", "Bounce", "Complaint", "Reject", "DeliveryDelay", "Subscription", "Open", "Click", "Rendering Failure"] as const;

export const sesConfig = {
  kind: "ses",
  label: "Amazon SES",
  description: "Amazon Simple Email Service (v2 API): low cost per email at volume; events through a configuration set and SNS.",
  schema: sesInput,
  webhookSetup: {
    where:
      "In AWS: create an SNS topic and an HTTPS subscription to the URL below (raw message delivery off); the app confirms the subscription itself once its signature verifies. Then in SES: Configuration sets → your set → Event destinations → Add destination → Amazon SNS, pick the topic and the event types below, and name that configuration set in the form.",
    events: ["Sends", "Deliveries", "Hard bounces", "Complaints", "Rejects", "Delivery delays", "Subscriptions", "Opens", "Clicks"],
    authentication:
      "SNS signs every message (SignatureVersion 1 or 2, RSA) with a certificate the app fetches over HTTPS from sns.<region>.amazonaws.com only; unsigned, forged or foreign-certificate requests are refused. Set the topic ARN to accept only your topic.",
  },
  fields: [
    { name: "region", label: "Region", input: "text", help: "The AWS region your SES identities are verified in, e.g. us-east-1." },
    { name: "access_key_id", label: "Access key ID", input: "text", secret: { required: true, mask: "last4" }, help: "An IAM user's key with ses:SendEmail, ses:GetAccount and ses:GetEmailIdentity." },
    { name: "secret_access_key", label: "Secret access key", input: "password", secret: { required: true, mask: "hidden" } },
    { name: "configuration_set", label: "Configuration set", input: "text", help: "The set whose SNS event destination posts to the webhook URL; every message names it." },
    { name: "default_sender", label: "Default sender", input: "email", help: "An address on a verified SES identity (domain or email address)." },
    { name: "sns_topic_arn", label: "SNS topic ARN", input: "text", help: "Needed to receive events: only messages of this topic are accepted at the webhook (until it is set, the webhook refuses everything). Sending works without it." },
  ],
} as const satisfies ProviderConfigSpec<"ses">;

/**
 * Amazon SES (USD): pay as you go, no monthly fee — $0.10 per 1,000 outbound emails (acecloudinterviews.com's SES
 * tutorial, read 2026-11-30; aws.amazon.com/ses/pricing could not be read from here). Left out: the free tier (AWS's own
 * FAQ pages disagree across versions: 62,000 a month from EC2, later 3,000 a month for 12 months), data transfer and
 * attachment charges, and dedicated IPs (no source at hand) — enter them in the price book where they apply.
 */
export const sesPricing = {
  defaultPlan: "pay_as_you_go",
  plans: [
    {
      id: "pay_as_you_go", name: "Pay as you go", monthly_fee: 0, included: 0, overage_per_1000: 0.1, free_per_day: 0, free_per_month: 0,
      overflow_allowed: true, dedicated_ip_fee: null, effective_date: "2026-11-30",
      source_url: "https://www.acecloudinterviews.com/tutorials/aws/ses/", verified_on: "2026-11-30",
      notes: "Third-party figure ($0.10 per 1,000 emails); data transfer and the free tier are not included.",
    },
  ],
} as const satisfies ProviderPricing;
