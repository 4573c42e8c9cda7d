/**
 * Starts the Postmark, Mailgun, SendGrid and SES emulators (with SES's SNS side) and the SMTP sink on fixed ports for
 * the demo and manual testing. Ports: POSTMARK_SIM_PORT (4010), MAILGUN_SIM_PORT (4020), SENDGRID_SIM_PORT (4030),
 * SES_SIM_PORT (4040), SNS_SIM_PORT (4041, HTTPS), SMTP_SIM_PORT (2525). Stays up until Ctrl-C.
 */
import { MAILGUN_TEST_SIGNING_KEY, startMailgunEmulator } from "../test/emulators/mailgun-emulator";
import { startPostmarkEmulator } from "../test/emulators/postmark-emulator";
import { startSendgridEmulator } from "../test/emulators/sendgrid-emulator";
import { startSesEmulator } from "../test/emulators/ses-emulator";
import { SNS_TEST_CERT_HOSTS, SNS_TEST_PKI, startSnsEmulator } from "../test/emulators/sns-emulator";
import { startSmtpSink } from "../test/emulators/smtp-sink";

const host = process.env.ESP_SIM_HOST ?? "127.0.0.1";
const postmark = await startPostmarkEmulator({ host, port: Number(process.env.POSTMARK_SIM_PORT ?? 4010) });
const mailgun = await startMailgunEmulator({ host, port: Number(process.env.MAILGUN_SIM_PORT ?? 4020) });
const sendgrid = await startSendgridEmulator({ host, port: Number(process.env.SENDGRID_SIM_PORT ?? 4030) });
const ses = await startSesEmulator({ host, port: Number(process.env.SES_SIM_PORT ?? 4040) });
const sns = await startSnsEmulator({ port: Number(process.env.SNS_SIM_PORT ?? 4041) });
ses.setEventDestination({ sns });
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

SendGrid  ${sendgrid.url}
  SENDGRID_API_BASE_URL=${sendgrid.url}
  api key: ${sendgrid.apiKey}   authenticated domain: ${sendgrid.domain}
  Event Webhook verification key (paste into the form; it changes at every start):
  ${sendgrid.verificationKey}

Amazon SES ${ses.url}   (SNS ${sns.url}, topic ${sns.topicArn})
  AWS_ENDPOINT_URL_SESV2=${ses.url}
  region: ${ses.region}   access key id: ${ses.accessKeyId}   secret: ${ses.secretAccessKey}
  configuration set: ${ses.configurationSet}   verified domain: ${ses.domain}
  SNS posts to confirmed subscriptions only; the app must trust the test CA and the local certificate host:
  NODE_EXTRA_CA_CERTS=${SNS_TEST_PKI.caFile} SNS_SIGNING_CERT_HOSTS=${SNS_TEST_CERT_HOSTS}

SMTP      ${smtp.url}
  host ${smtp.host} port ${smtp.port}, no TLS, AUTH optional (any credentials)

Conventions: recipients containing "bounce" / "softbounce" get bounce webhooks instead of deliveries;
Postmark treats addresses containing "inactive" as inactive (406); Mailgun and SendGrid answer 400 for "invalid-address".`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await Promise.all([postmark.close(), mailgun.close(), sendgrid.close(), ses.close(), sns.close(), smtp.close()]);
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
