/**
 * The gateway's TLS identity. kubectl sends bearer tokens only over https, so the gateway (and kubectl-proxy)
 * creates a private CA and a server certificate on first start, keeps them under its data dir (keys 0600), and
 * writes the CA into the kubeconfig contexts it produces.
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';
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

export async function createTlsMaterial(hosts: string[]): Promise<TlsMaterial> {
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
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hosts[0] ?? 'localhost'}`,
    issuer: ca.subject,
    notBefore: now,
    notAfter: new Date(now.getTime() + 2 * YEAR),
    signingKey: caKeys.privateKey,
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
  return { caPem: ca.toString('pem') + '\n', certPem: cert.toString('pem') + '\n', keyPem };
}

/** Loads the TLS material from `dir`, creating it on first start for `hosts` (SANs). */
export async function ensureTlsMaterial(dir: string, hosts: string[]): Promise<TlsMaterial> {
  const files = { caPem: join(dir, 'ca.crt'), certPem: join(dir, 'server.crt'), keyPem: join(dir, 'server.key') };
  if (Object.values(files).every((f) => existsSync(f))) {
    return {
      caPem: readFileSync(files.caPem, 'utf8'),
      certPem: readFileSync(files.certPem, 'utf8'),
      keyPem: readFileSync(files.keyPem, 'utf8'),
    };
  }
  const material = await createTlsMaterial(hosts);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(files.caPem, material.caPem);
  writeFileSync(files.certPem, material.certPem);
  writeFileSync(files.keyPem, material.keyPem, { mode: 0o600 });
  return material;
}
