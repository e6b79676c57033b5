/**
 * The gateway's TLS identity. kubectl sends bearer tokens only over https, so the gateway (and kubectl-proxy)
 * creates a private CA and a server certificate on first start, keeps them under its data dir (keys 0600, the CA
 * key included), and writes the CA into the kubeconfig contexts it produces. Because the CA key is kept, a new
 * `--host` (or a certificate near its end) re-issues the server certificate under the same CA: distributed
 * kubeconfigs keep working. An operator may bring its own certificate instead (`--tls-cert/--tls-key`).
 */
import 'reflect-metadata';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { K3sDaasError } from '../core/errors.js';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
x509.cryptoProvider.set(webcrypto as any);

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const YEAR = 365 * 24 * 3600 * 1000;

function pemKey(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

/** A CA that can sign server certificates. */
export interface TlsCa {
  caPem: string;
  caKeyPem: string;
}

export class TlsError extends K3sDaasError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('TLS_INVALID', message, { data });
  }
}

export async function createCa(): Promise<TlsCa> {
  const now = new Date(Date.now() - 60_000);
  const caKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=k3sdaas gateway CA',
    notBefore: now,
    notAfter: new Date(now.getTime() + 10 * YEAR),
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return { caPem: ca.toString('pem') + '\n', caKeyPem: pemKey(await webcrypto.subtle.exportKey('pkcs8', caKeys.privateKey)) };
}

function pemBody(pem: string): ArrayBuffer {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(b64, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** A server certificate for `hosts` (SANs) signed by `ca`, valid 2 years. */
export async function issueServerCertificate(authority: TlsCa, hosts: string[]): Promise<TlsMaterial> {
  const now = new Date(Date.now() - 60_000);
  const ca = new x509.X509Certificate(authority.caPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', pemBody(authority.caKeyPem), ALG, false, ['sign']);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hosts[0] ?? 'localhost'}`,
    issuer: ca.subject,
    notBefore: now,
    notAfter: new Date(now.getTime() + 2 * YEAR),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const keyPem = pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { caPem: authority.caPem, certPem: cert.toString('pem') + '\n', keyPem };
}

/** Fresh in-memory material (a CA whose key is not kept, and a server certificate for `hosts`). */
export async function createTlsMaterial(hosts: string[]): Promise<TlsMaterial> {
  return issueServerCertificate(await createCa(), hosts);
}

/** The DNS names and IPs a certificate is valid for. */
export function certificateHosts(certPem: string): string[] {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  return san
    .split(/,\s*/)
    .map((e) => /^(?:DNS|IP Address):(.+)$/.exec(e.trim())?.[1])
    .filter((h): h is string => !!h)
    .map((h) => h.toLowerCase());
}

/** Re-issue this long before the server certificate expires. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

function needsReissue(certPem: string, hosts: string[]): string | null {
  const have = new Set(certificateHosts(certPem));
  const missing = hosts.filter((h) => !have.has(h.toLowerCase()));
  if (missing.length) return `it does not name ${missing.join(', ')}`;
  if (new Date(new X509Certificate(certPem).validTo).getTime() - Date.now() < RENEW_BEFORE_MS) return 'it expires within 30 days';
  return null;
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * Loads the TLS material from `dir`, creating the CA (key kept, 0600) and server certificate on first start. When
 * the certificate does not name every host in `hosts` (a new `--host`) or is near its end, a new one is issued under
 * the same CA (keeping the names it had), so kubeconfigs already handed out still verify it.
 */
export async function ensureTlsMaterial(dir: string, hosts: string[], onReissue?: (why: string, hosts: string[]) => void): Promise<TlsMaterial> {
  const files = { caPem: join(dir, 'ca.crt'), caKeyPem: join(dir, 'ca.key'), certPem: join(dir, 'server.crt'), keyPem: join(dir, 'server.key') };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca: TlsCa | null = null;
  if (existsSync(files.caPem) && existsSync(files.caKeyPem)) {
    ca = { caPem: readFileSync(files.caPem, 'utf8'), caKeyPem: readFileSync(files.caKeyPem, 'utf8') };
  } else if (existsSync(files.caPem)) {
    // Created by an earlier version, which discarded the CA key: usable as long as the certificate still fits.
    const current = existsSync(files.certPem) && existsSync(files.keyPem) ? readFileSync(files.certPem, 'utf8') : null;
    const why = current ? needsReissue(current, hosts) : 'there is no server certificate';
    if (!why) return { caPem: readFileSync(files.caPem, 'utf8'), certPem: current!, keyPem: readFileSync(files.keyPem, 'utf8') };
    throw new TlsError(
      `the TLS certificate in ${dir} must be re-issued (${why}), but its CA key was not kept (created by an older k3sdaas); ` +
        `move ${dir} away to create a new CA (then hand out new kubeconfigs: k3sdaas kubeconfig), or pass --tls-cert/--tls-key`,
      { dir },
    );
  } else {
    ca = await createCa();
    writeFileSync(files.caPem, ca.caPem);
    writePrivate(files.caKeyPem, ca.caKeyPem);
  }
  if (existsSync(files.certPem) && existsSync(files.keyPem)) {
    const certPem = readFileSync(files.certPem, 'utf8');
    const why = needsReissue(certPem, hosts);
    if (!why) return { caPem: ca.caPem, certPem, keyPem: readFileSync(files.keyPem, 'utf8') };
    const all = [...new Set([...hosts, ...certificateHosts(certPem)])];
    onReissue?.(why, all);
    return writeServer(files, await issueServerCertificate(ca, all));
  }
  return writeServer(files, await issueServerCertificate(ca, hosts));
}

function writeServer(files: { certPem: string; keyPem: string }, material: TlsMaterial): TlsMaterial {
  writePrivate(files.keyPem, material.keyPem);
  writeFileSync(files.certPem, material.certPem);
  return material;
}

/**
 * An operator's certificate (`--tls-cert`, PEM, optionally followed by its chain) and key (`--tls-key`). Checked at
 * start: readable, the key matches, currently valid. The last certificate of the file is what kubeconfigs pin
 * (the issuing CA when a chain is given).
 */
export function loadOperatorTls(certFile: string, keyFile: string): TlsMaterial {
  let certText: string;
  let keyPem: string;
  try {
    certText = readFileSync(certFile, 'utf8');
  } catch (err) {
    throw new TlsError(`--tls-cert ${certFile}: cannot read it (${(err as Error).message})`);
  }
  try {
    keyPem = readFileSync(keyFile, 'utf8');
  } catch (err) {
    throw new TlsError(`--tls-key ${keyFile}: cannot read it (${(err as Error).message})`);
  }
  const pems = certText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!pems.length) throw new TlsError(`--tls-cert ${certFile}: no PEM certificate in it`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pems[0]!);
  } catch (err) {
    throw new TlsError(`--tls-cert ${certFile}: not a valid certificate (${(err as Error).message})`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new TlsError(`--tls-key ${keyFile}: not a valid private key (${(err as Error).message})`);
  }
  if (!leaf.checkPrivateKey(key)) throw new TlsError(`--tls-key ${keyFile} is not the key of the certificate in --tls-cert ${certFile}`);
  const now = Date.now();
  if (new Date(leaf.validTo).getTime() < now) throw new TlsError(`--tls-cert ${certFile} expired on ${leaf.validTo}`);
  if (new Date(leaf.validFrom).getTime() > now) throw new TlsError(`--tls-cert ${certFile} is not valid before ${leaf.validFrom}`);
  return { caPem: pems[pems.length - 1] + '\n', certPem: certText, keyPem };
}
