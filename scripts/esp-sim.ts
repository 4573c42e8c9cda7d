/**
 * Starts the Postmark and Mailgun emulators and the SMTP sink on fixed ports for the demo and manual testing.
 * Ports: POSTMARK_SIM_PORT (4010), MAILGUN_SIM_PORT (4020), SMTP_SIM_PORT (2525). Stays up until Ctrl-C.
 */
import { MAILGUN_TEST_SIGNING_KEY, startMailgunEmulator } from "../test/emulators/mailgun-emulator";
import { startPostmarkEmulator } from "../test/emulators/postmark-emulator";
import { startSmtpSink } from "../test/emulators/smtp-sink";

const host = process.env.ESP_SIM_HOST ?? "127.0.0.1";
const postmark = await startPostmarkEmulator({ host, port: Number(process.env.POSTMARK_SIM_PORT ?? 4010) });
const mailgun = await startMailgunEmulator({ host, port: Number(process.env.MAILGUN_SIM_PORT ?? 4020) });
const smtp = await startSmtpSink({ host, port: Number(process.env.SMTP_SIM_PORT ?? 2525) });

console.log(`ESP simulators running (Ctrl-C to stop)

Postmark  ${postmark.url}
  POSTMARK_API_BASE_URL=${postmark.url}
  server token:  ${postmark.serverToken}
  account token: ${postmark.accountToken}
  verified sender domain: example.com (From: anything@example.com); streams: outbound, broadcast

Mailgun   ${mailgun.url}
  MAILGUN_API_BASE_URL=${mailgun.url}
  api key: ${mailgun.apiKey}   domain: ${mailgun.domain}   webhook signing key: ${MAILGUN_TEST_SIGNING_KEY}

SMTP      ${smtp.url}
  host ${smtp.host} port ${smtp.port}, no TLS, AUTH optional (any credentials)

Conventions: recipients containing "bounce" / "softbounce" get bounce webhooks instead of deliveries;
Postmark treats addresses containing "inactive" as inactive (406); Mailgun answers 400 for "invalid-address".`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await Promise.all([postmark.close(), mailgun.close(), smtp.close()]);
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
