/**
 * Amazon SNS message verification, as AWS documents it ("Verifying the signatures of Amazon SNS messages", SNS
 * Developer Guide; HTTP/S message formats): the string to sign is built field by field (`Name\nvalue\n` in a fixed
 * order, Subject only when present), verified with the public key of the certificate at SigningCertURL —
 * SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA.
 *
 * The certificate is fetched only over HTTPS (TLS validated against the process's trusted CAs: the system's, plus
 * NODE_EXTRA_CA_CERTS), only from hosts matching SNS_SIGNING_CERT_HOSTS (default `sns.<region>.amazonaws.com`), only a
 * `.pem` path, with a timeout and a size cap; it must be currently valid. Good certificates are cached by URL (SNS
 * names a new URL when it rotates its certificate).
 *
 * Why not a package: `sns-payload-validator` hard-codes the amazonaws.com pattern (no configurable host list, so no
 * local test server), and `sns-validator` has no fetch timeout, an unbounded cache, and builds the
 * UnsubscribeConfirmation string to sign with the Notification fields.
 */
import https from "node:https";
import { verify as verifySignature, X509Certificate, type KeyObject } from "node:crypto";
import { z } from "zod";

export const SNS_MESSAGE_TYPES = ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"] as const;

/** The JSON SNS posts (its fields are strings; lengths bounded so absurd values are refused before any fetch). */
export const snsEnvelopeSchema = z
  .object({
    Type: z.enum(SNS_MESSAGE_TYPES),
    MessageId: z.string().min(1).max(128),
    TopicArn: z.string().min(1).max(512),
    Subject: z.string().max(1000).optional(),
    Message: z.string().max(1024 * 1024),
    Timestamp: z.string().min(1).max(64),
    SignatureVersion: z.string().max(8),
    Signature: z.string().min(1).max(4096),
    SigningCertURL: z.string().min(1).max(2048),
    SubscribeURL: z.string().max(4096).optional(),
    Token: z.string().max(4096).optional(),
    UnsubscribeURL: z.string().max(4096).optional(),
  })
  .passthrough();
export type SnsEnvelope = z.infer<typeof snsEnvelopeSchema>;

/** The fields signed, in order (AWS: Notification vs. SubscriptionConfirmation and UnsubscribeConfirmation). */
const SIGNED_FIELDS = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  SubscriptionConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
  UnsubscribeConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
} as const satisfies Record<SnsEnvelope["Type"], readonly string[]>;

/** `Name\nvalue\n` for each signed field present (Subject is left out when the message has none). */
export function snsStringToSign(m: SnsEnvelope): string {
  let out = "";
  for (const field of SIGNED_FIELDS[m.Type]) {
    const value = (m as Record<string, unknown>)[field];
    if (value === undefined || value === null) continue;
    out += `${field}\n${String(value)}\n`;
  }
  return out;
}

const ALGORITHMS: Record<string, string> = { "1": "sha1", "2": "sha256" };

/**
 * `sns.*.amazonaws.com` style patterns: `*` stands for one DNS label; `:port` (or `:*`) is optional, and without it
 * only the default HTTPS port matches.
 */
export interface HostPattern {
  host: RegExp;
  port: string | "*" | null;
}

/** An AWS region name as a host label: us-east-1, us-gov-west-1, cn-north-1, ap-southeast-2. */
const AWS_REGION_LABEL = "[a-z]{2}(?:-[a-z]+)+-\\d{1,2}";
/** sns.<region>.amazonaws.com(.cn): the region a certificate host names, which must be the topic's. */
const AWS_SNS_HOST = /^sns\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

export function parseHostPatterns(list: readonly string[]): HostPattern[] {
  return list.map((entry) => {
    const [host, port] = entry.trim().toLowerCase().split(":") as [string, string | undefined];
    const source = host
      .split(".")
      .map((label) => (label === "*" ? "[a-z0-9-]+" : label === "<region>" ? AWS_REGION_LABEL : label.replace(/[^a-z0-9-]/g, (c) => `\\${c}`)))
      .join("\\.");
    return { host: new RegExp(`^${source}$`), port: port === undefined ? null : port };
  });
}

/** Whether `url` is an https: URL on an allowed host (and port). */
export function allowedHttpsUrl(url: string, patterns: readonly HostPattern[]): URL | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== "https:" || u.username || u.password) return null;
  const host = u.hostname.toLowerCase();
  const ok = patterns.some((p) => p.host.test(host) && (p.port === "*" || (p.port === null ? u.port === "" : u.port === p.port)));
  return ok ? u : null;
}

/**
 * `certificate_unavailable` is the one failure that is not the sender's fault (the SNS host timed out or answered 5xx):
 * the module answers 503 so SNS retries; every other failure is a refusal.
 */
export type SnsVerifyFailure = "malformed" | "unsupported_version" | "certificate_host" | "certificate_untrusted" | "certificate_unavailable" | "certificate_invalid" | "bad_signature";
export type SnsVerifyResult = { ok: true; message: SnsEnvelope } | { ok: false; reason: SnsVerifyFailure; detail: string };

const MAX_CERT_BYTES = 64 * 1024;
const MAX_CACHED = 100;

/** GET over HTTPS (TLS validated), 200 only, no redirects, bounded in time and size. */
export function httpsGet(url: URL, timeoutMs: number, maxBytes = MAX_CERT_BYTES): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy(new Error(`response larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

/** One verifier per host list: certificates cached by URL, concurrent fetches of one URL shared. */
export function createSnsVerifier(options: { hosts: readonly string[]; fetchTimeoutMs?: number }) {
  const patterns = parseHostPatterns(options.hosts);
  const timeoutMs = options.fetchTimeoutMs ?? 5000;
  const cache = new Map<string, { key: KeyObject; validTo: Date }>();
  const inFlight = new Map<string, Promise<{ key: KeyObject; validTo: Date }>>();

  async function load(url: URL, now: Date): Promise<{ key: KeyObject; validTo: Date }> {
    let answer: { status: number; body: string };
    try {
      answer = await httpsGet(url, timeoutMs);
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? "");
      // The TLS handshake failed validation against the trusted CAs: not SNS's host, whatever its name says.
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|TLS|SSL/.test(code)) throw new CertError("certificate_untrusted", `the certificate host's TLS certificate is not trusted (${code})`);
      throw new CertError("certificate_unavailable", `the signing certificate could not be fetched: ${(err as Error).message}`);
    }
    const { status, body } = answer;
    if (status === 429 || status >= 500) throw new CertError("certificate_unavailable", `the certificate URL answered HTTP ${status}`);
    if (status !== 200) throw new CertError("certificate_invalid", `the certificate URL answered HTTP ${status}`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(body);
    } catch {
      throw new CertError("certificate_invalid", "the certificate URL did not serve a PEM certificate");
    }
    const validFrom = new Date(cert.validFrom);
    const validTo = new Date(cert.validTo);
    if (!(validFrom <= now && now <= validTo)) throw new CertError("certificate_invalid", `the signing certificate is not valid now (valid ${cert.validFrom} – ${cert.validTo})`);
    if (cert.publicKey.asymmetricKeyType !== "rsa") throw new CertError("certificate_invalid", "the signing certificate's key is not RSA");
    return { key: cert.publicKey, validTo };
  }

  async function certificate(url: URL, now: Date) {
    const href = url.href;
    const cached = cache.get(href);
    if (cached && now <= cached.validTo) return cached;
    let pending = inFlight.get(href);
    if (!pending) {
      pending = load(url, now).finally(() => inFlight.delete(href));
      inFlight.set(href, pending);
    }
    const loaded = await pending;
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(href, loaded);
    return loaded;
  }

  return {
    patterns,
    /** Whether `url` may be fetched (https, allowed host): the cert URL and a SubscribeURL alike. */
    allowed: (url: string) => allowedHttpsUrl(url, patterns),
    timeoutMs,
    async verify(body: unknown, now: Date): Promise<SnsVerifyResult> {
      const parsed = snsEnvelopeSchema.safeParse(body);
      if (!parsed.success) return { ok: false, reason: "malformed", detail: "the body is not a signed SNS message (Type, MessageId, TopicArn, Message, Timestamp, Signature, SigningCertURL)" };
      const m = parsed.data;
      const algorithm = ALGORITHMS[m.SignatureVersion];
      if (!algorithm) return { ok: false, reason: "unsupported_version", detail: `SignatureVersion ${m.SignatureVersion.slice(0, 8)} is not 1 or 2` };
      if (m.Type !== "Notification" && (!m.SubscribeURL || !m.Token)) return { ok: false, reason: "malformed", detail: `a ${m.Type} carries SubscribeURL and Token` };
      const url = allowedHttpsUrl(m.SigningCertURL, patterns);
      if (!url || !url.pathname.endsWith(".pem")) return { ok: false, reason: "certificate_host", detail: "SigningCertURL is not an https:// .pem URL on an allowed SNS host (SNS_SIGNING_CERT_HOSTS)" };
      // An AWS host must be the topic's own region's: a certificate from another region's SNS signs no message here.
      const awsRegion = AWS_SNS_HOST.exec(url.hostname.toLowerCase())?.[1];
      if (awsRegion && awsRegion !== m.TopicArn.split(":")[3]) return { ok: false, reason: "certificate_host", detail: "SigningCertURL's region is not the TopicArn's" };
      let cert;
      try {
        cert = await certificate(url, now);
      } catch (err) {
        if (err instanceof CertError) return { ok: false, reason: err.reason, detail: err.message };
        return { ok: false, reason: "certificate_unavailable", detail: `the signing certificate could not be fetched: ${(err as Error).message}` };
      }
      let valid = false;
      try {
        valid = verifySignature(algorithm, Buffer.from(snsStringToSign(m), "utf8"), cert.key, Buffer.from(m.Signature, "base64"));
      } catch {
        valid = false;
      }
      return valid ? { ok: true, message: m } : { ok: false, reason: "bad_signature", detail: "the SNS signature does not verify with the signing certificate" };
    },
  };
}
export type SnsVerifier = ReturnType<typeof createSnsVerifier>;

class CertError extends Error {
  constructor(
    readonly reason: SnsVerifyFailure,
    message: string,
  ) {
    super(message);
  }
}
