/**
 * Pins the cluster's k3s server CA: the chain records sha256(DER) of the CA certificate (`cluster.ca_hash`); before
 * a worker hands its join token to anything it connects to the API URL from chain over TLS, collects the
 * certificates the server presents plus the CA bundle k3s serves at `/cacerts`, and requires one of them to hash
 * to `ca_hash` and to have issued the server's certificate. An empty `ca_hash` means the operator pinned nothing.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { WorkerError } from './errors.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export interface CaCheck {
  /** 'pinned' when a certificate matched; 'skipped' when the cluster pins no CA. */
  result: 'pinned' | 'skipped';
  subject?: string;
}

function pemCertificates(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

function peerChain(socket: TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  let cert: PeerCertificate | undefined = socket.getPeerCertificate(true) as PeerCertificate;
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(cert.raw);
    cert = (cert as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate;
  }
  return out;
}

/** One unauthenticated TLS exchange: the presented chain, and the body of GET /cacerts when the server has one. */
async function probe(url: URL, timeoutMs: number): Promise<{ chain: Buffer[]; cacerts: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 443),
      servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
      rejectUnauthorized: false, // authenticated below by the pinned hash, not by a trust store
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    let chain: Buffer[] = [];
    const chunks: Buffer[] = [];
    socket.once('secureConnect', () => {
      chain = peerChain(socket);
      socket.write(`GET /cacerts HTTP/1.1\r\nHost: ${url.host}\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('error', (err) => {
      clearTimeout(timer);
      if (chain.length) resolve({ chain, cacerts: [] });
      else reject(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const ok = /^HTTP\/1\.[01] 200/.test(text);
      resolve({ chain, cacerts: ok ? pemCertificates(text) : [] });
    });
  });
}

/** Verifies the server at `apiUrl` against `caHash` (sha256 of the CA's DER); throws WorkerError when it does not match. */
export async function verifyClusterCa(apiUrl: string, caHash: Uint8Array, options: { timeoutMs?: number } = {}): Promise<CaCheck> {
  if (caHash.length === 0) return { result: 'skipped' };
  const url = new URL(apiUrl);
  if (url.protocol !== 'https:') {
    throw new WorkerError('WORKER_CA_MISMATCH', `the cluster pins a CA (${hex(caHash)}) but its API URL ${apiUrl} is not https: refusing to join`);
  }
  let found: { chain: Buffer[]; cacerts: Buffer[] };
  try {
    found = await probe(url, options.timeoutMs ?? 10_000);
  } catch (err) {
    throw new WorkerError('WORKER_CA_UNAVAILABLE', `cannot reach the cluster's API server ${apiUrl} to check its CA: ${(err as Error).message}`, {
      retryable: true,
      cause: err,
    });
  }
  const wanted = hex(caHash);
  const candidates = [...found.chain, ...found.cacerts];
  const ca = candidates.find((der) => createHash('sha256').update(der).digest('hex') === wanted);
  if (!ca || !found.chain.length) {
    throw new WorkerError(
      'WORKER_CA_MISMATCH',
      `the API server at ${apiUrl} does not present the CA pinned on chain (sha256 ${wanted}): refusing to send it the join token`,
      { data: { apiUrl, caHash: wanted } },
    );
  }
  const caCert = new X509Certificate(ca);
  const leaf = new X509Certificate(found.chain[0]);
  if (!leaf.raw.equals(caCert.raw) && !(leaf.checkIssued(caCert) && leaf.verify(caCert.publicKey))) {
    throw new WorkerError('WORKER_CA_MISMATCH', `the API server certificate at ${apiUrl} was not issued by the CA pinned on chain (sha256 ${wanted})`, {
      data: { apiUrl, caHash: wanted },
    });
  }
  return { result: 'pinned', subject: caCert.subject };
}
