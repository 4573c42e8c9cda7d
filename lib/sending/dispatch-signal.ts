/** The wake-up channel: NOTIFY on PostgreSQL (reaches every worker process), an in-process event on PGlite. */
export const DISPATCH_CHANNEL = "pm_dispatch";
