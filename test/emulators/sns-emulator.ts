/**
 * Local emulator of Amazon SNS's HTTP/S delivery, built from the SNS Developer Guide ("HTTP/S message formats",
 * "Verifying the signatures of Amazon SNS messages", "Confirm the subscription"): a topic that posts signed JSON
 * (`Content-Type: text/plain; charset=UTF-8`, `x-amz-sns-message-type` / `-message-id` / `-topic-arn` headers) to
 * subscribed endpoints — first a SubscriptionConfirmation whose SubscribeURL confirms it, then Notifications, only to
 * confirmed endpoints. Messages are signed (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA) with the test PKI in
 * test/fixtures/sns (generated once by its generate.sh), and the signing certificate is served over HTTPS on
 * `https://localhost:<port>/SimpleNotificationService-<32 hex>.pem`, with a TLS certificate issued by the test CA that
 * the tests trust through NODE_EXTRA_CA_CERTS (vitest.config.ts). The app accepts the host through
 * SNS_SIGNING_CERT_HOSTS=localhost:*.
 * Knobs: `signatureVersion`, `certFault` (404 / timeout on the certificate), `forge…` helpers for the tests.
 */
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from "node:crypto";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/sns");
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");

/** The test PKI: the CA tests trust, the TLS pair of the certificate host, the SNS signing pair. */
export const SNS_TEST_PKI = {
  caFile: path.join(FIXTURES, "ca.pem"),
  serverCert: () => read("server.pem"),
  serverKey: () => read("server.key"),
  signingCert: () => read("signing.pem"),
  signingKey: () => read("signing.key"),
  untrustedCert: () => read("untrusted.pem"),
  untrustedKey: () => read("untrusted.key"),
};
/** What SNS_SIGNING_CERT_HOSTS must allow for the emulator (vitest.config.ts sets it). */
export const SNS_TEST_CERT_HOSTS = "localhost:*";

export type SnsMessageType = "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";
export type SnsEnvelope = Record<string, string>;

const SIGNED = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  SubscriptionConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
  UnsubscribeConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
} as const;

/** The string SNS signs, from the documentation (written here independently of the app's sns.ts). */
export function snsSigningString(m: SnsEnvelope): string {
  return (SIGNED[m.Type as SnsMessageType] ?? SIGNED.Notification).filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join("");
}

/** Signs an unsigned envelope: adds SignatureVersion, Signature and SigningCertURL. */
export function signSnsEnvelope(m: SnsEnvelope, opts: { privateKeyPem: string; certUrl: string; version?: "1" | "2" }): SnsEnvelope {
  const version = opts.version ?? "1";
  const signature = sign(version === "1" ? "sha1" : "sha256", Buffer.from(snsSigningString(m), "utf8"), opts.privateKeyPem).toString("base64");
  return { ...m, SignatureVersion: version, Signature: signature, SigningCertURL: opts.certUrl };
}

/** An RSA key no certificate vouches for (a forger's). */
export function forgerKeyPem(): string {
  return generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

export interface SnsDelivery {
  url: string;
  envelope: SnsEnvelope;
  /** The receiver's status; 0 when it was unreachable. */
  status: number;
  body?: string;
  error?: string;
}

export interface SnsEmulatorOptions {
  port?: number;
  region?: string;
  accountId?: string;
  topicName?: string;
  signatureVersion?: "1" | "2";
  /** TLS certificate of the certificate host (default: the test CA-issued one; `untrusted` for the refusal test). */
  tls?: "trusted" | "untrusted";
  /** Does not keep the process alive (a module-level emulator that is never closed). */
  unref?: boolean;
}

export async function startSnsEmulator(options: SnsEmulatorOptions = {}) {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "123456789012";
  const topicArn = `arn:aws:sns:${region}:${accountId}:${options.topicName ?? "pm-ses-events"}`;
  let signatureVersion = options.signatureVersion ?? "1";
  const certPath = `/SimpleNotificationService-${createHash("md5").update(SNS_TEST_PKI.signingCert()).digest("hex")}.pem`;
  const subscriptions = new Map<string, { url: string; token: string; confirmed: boolean; arn: string }>();
  const confirmations: Array<{ token: string; at: Date }> = [];
  const certRequests: Date[] = [];
  const deliveries: SnsDelivery[] = [];
  const pending = new Set<Promise<SnsDelivery>>();
  let certFault: "none" | "404" | "503" | "timeout" = "none";
  const hanging = new Set<import("node:http").ServerResponse>();

  const server = https.createServer(
    options.tls === "untrusted" ? { cert: SNS_TEST_PKI.untrustedCert(), key: SNS_TEST_PKI.untrustedKey() } : { cert: SNS_TEST_PKI.serverCert(), key: SNS_TEST_PKI.serverKey() },
    (req, res) => {
      const url = new URL(req.url ?? "/", "https://localhost");
      if (req.method === "GET" && url.pathname === certPath) {
        certRequests.push(new Date());
        if (certFault === "timeout") return void hanging.add(res);
        if (certFault === "404" || certFault === "503") return void res.writeHead(Number(certFault)).end(certFault === "404" ? "Not Found" : "Service Unavailable");
        res.writeHead(200, { "Content-Type": "application/x-x509-ca-cert" });
        return void res.end(SNS_TEST_PKI.signingCert());
      }
      if (req.method === "GET" && url.pathname === "/" && url.searchParams.get("Action") === "ConfirmSubscription") {
        const token = url.searchParams.get("Token") ?? "";
        const sub = [...subscriptions.values()].find((s) => s.token === token && url.searchParams.get("TopicArn") === topicArn);
        if (!sub) {
          res.writeHead(404, { "Content-Type": "text/xml" });
          return void res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Subscription not found</Message></Error></ErrorResponse>`);
        }
        sub.confirmed = true;
        confirmations.push({ token, at: new Date() });
        res.writeHead(200, { "Content-Type": "text/xml" });
        return void res.end(`<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>${sub.arn}</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`);
      }
      res.writeHead(404).end();
    },
  );
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  if (options.unref) server.unref();
  const port = (server.address() as AddressInfo).port;
  const base = `https://localhost:${port}`;
  const certUrl = `${base}${certPath}`;

  const envelopeBase = (type: SnsMessageType, message: string): SnsEnvelope => ({ Type: type, MessageId: randomUUID(), TopicArn: topicArn, Message: message, Timestamp: new Date().toISOString() });
  const signEnvelope = (m: SnsEnvelope, version = signatureVersion) => signSnsEnvelope(m, { privateKeyPem: SNS_TEST_PKI.signingKey(), certUrl, version });

  function post(url: string, envelope: SnsEnvelope): Promise<SnsDelivery> {
    const p = (async (): Promise<SnsDelivery> => {
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: {
            "Content-Type": "text/plain; charset=UTF-8",
            "x-amz-sns-message-type": envelope.Type!,
            "x-amz-sns-message-id": envelope.MessageId!,
            "x-amz-sns-topic-arn": envelope.TopicArn!,
            "User-Agent": "Amazon Simple Notification Service Agent",
          },
          body: JSON.stringify(envelope),
        });
        const d = { url, envelope, status: res.status, body: await res.text() };
        deliveries.push(d);
        return d;
      } catch (err) {
        const d = { url, envelope, status: 0, error: String(err) };
        deliveries.push(d);
        return d;
      }
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  }

  return {
    url: base,
    port,
    topicArn,
    region,
    certUrl,
    certRequests,
    confirmations,
    deliveries,
    subscriptions,
    setSignatureVersion(v: "1" | "2") {
      signatureVersion = v;
    },
    /** 404, 503 or no answer for the signing certificate (`none` restores it). */
    setCertFault(f: "none" | "404" | "503" | "timeout") {
      certFault = f;
    },
    /** Subscribes an HTTPS endpoint: posts its SubscriptionConfirmation (SubscribeURL on this host). */
    subscribe(url: string) {
      const token = randomBytes(64).toString("hex");
      const arn = `${topicArn}:${randomUUID()}`;
      subscriptions.set(url, { url, token, confirmed: false, arn });
      const subscribeUrl = `${base}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`;
      const m = {
        ...envelopeBase("SubscriptionConfirmation", `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`),
        Token: token,
        SubscribeURL: subscribeUrl,
      };
      return post(url, signEnvelope(m));
    },
    isConfirmed: (url: string) => subscriptions.get(url)?.confirmed === true,
    /** Publishes to every confirmed subscription (SES event publishing calls this). */
    async publish(message: string, subject?: string) {
      const m = { ...envelopeBase("Notification", message), ...(subject ? { Subject: subject } : {}) };
      const signed = signEnvelope(m);
      return Promise.all([...subscriptions.values()].filter((s) => s.confirmed).map((s) => post(s.url, signed)));
    },
    /** A signed Notification envelope of `message` without posting it. */
    notification(message: string, opts: { version?: "1" | "2"; subject?: string } = {}) {
      return signEnvelope({ ...envelopeBase("Notification", message), ...(opts.subject ? { Subject: opts.subject } : {}) }, opts.version);
    },
    /** A SubscriptionConfirmation envelope for `url` (registered, so its SubscribeURL works), signed by `privateKeyPem` (default ours). */
    confirmationFor(url: string, privateKeyPem = SNS_TEST_PKI.signingKey()) {
      const token = randomBytes(64).toString("hex");
      subscriptions.set(url, { url, token, confirmed: false, arn: `${topicArn}:${randomUUID()}` });
      const m = { ...envelopeBase("SubscriptionConfirmation", "confirm"), Token: token, SubscribeURL: `${base}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}` };
      return signSnsEnvelope(m, { privateKeyPem, certUrl, version: signatureVersion });
    },
    /** Posts an arbitrary envelope as SNS would. */
    postEnvelope: post,
    async flush() {
      while (pending.size) await Promise.all([...pending]);
    },
    reset() {
      deliveries.length = 0;
      confirmations.length = 0;
      certRequests.length = 0;
      certFault = "none";
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type SnsEmulator = Awaited<ReturnType<typeof startSnsEmulator>>;
