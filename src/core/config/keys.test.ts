import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Secp256k1Keypair } from '@mysten/sui/keypairs/secp256k1';
import { toBase64 } from '@mysten/sui/utils';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { loadConfig } from './load.js';
import { loadSigner } from './keys.js';

function keystoreEntry(flag: number, secretBech32: string): string {
  const { secretKey } = decodeSuiPrivateKey(secretBech32);
  return toBase64(new Uint8Array([flag, ...secretKey]));
}

function suiConfigDir(keys: string[], active?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-sui-'));
  mkdirSync(join(dir, 'sui_config'));
  writeFileSync(join(dir, 'sui_config', 'sui.keystore'), JSON.stringify(keys));
  if (active) writeFileSync(join(dir, 'sui_config', 'client.yaml'), `keystore:\n  File: x\nactive_address: "${active}"\n`);
  return join(dir, 'sui_config', 'sui.keystore');
}

const empty = join(mkdtempSync(join(tmpdir(), 'k3sdaas-cfg-')), 'config.yaml');
writeFileSync(empty, '');

describe('signing keys', () => {
  const a = Ed25519Keypair.generate();
  const b = Secp256k1Keypair.generate();
  const entries = [keystoreEntry(0, a.getSecretKey()), keystoreEntry(1, b.getSecretKey())];

  it("picks client.yaml's active address from the Sui keystore", () => {
    const keystore = suiConfigDir(entries, b.toSuiAddress());
    const signer = loadSigner(loadConfig({ file: empty, env: { K3SDAAS_KEYSTORE: keystore } }));
    expect(signer.address).toBe(b.toSuiAddress());
    expect(signer.source).toBe('keystore');
  });

  it('address overrides the active one; unknown address is a clear error', () => {
    const keystore = suiConfigDir(entries, b.toSuiAddress());
    const env = { K3SDAAS_KEYSTORE: keystore, K3SDAAS_ADDRESS: a.toSuiAddress() };
    expect(loadSigner(loadConfig({ file: empty, env })).address).toBe(a.toSuiAddress());
    const other = Ed25519Keypair.generate().toSuiAddress();
    expect(() => loadSigner(loadConfig({ file: empty, env: { ...env, K3SDAAS_ADDRESS: other } }))).toThrow(
      /holds no key for address/,
    );
  });

  it('reads a key file only when it is private to the user', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-key-'));
    const path = join(dir, 'key');
    writeFileSync(path, a.getSecretKey() + '\n', { mode: 0o644 });
    chmodSync(path, 0o644);
    expect(() => loadSigner(loadConfig({ file: empty, env: { K3SDAAS_KEY_FILE: path } }))).toThrow(/chmod 600/);
    chmodSync(path, 0o600);
    expect(loadSigner(loadConfig({ file: empty, env: { K3SDAAS_KEY_FILE: path } })).address).toBe(a.toSuiAddress());
  });

  it('a garbage key file is rejected without echoing it', () => {
    expect.assertions(2);
    const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-key-'));
    const path = join(dir, 'key');
    writeFileSync(path, 'not-a-key-secret-value', { mode: 0o600 });
    expect(() => loadSigner(loadConfig({ file: empty, env: { K3SDAAS_KEY_FILE: path } }))).toThrow(/not a Sui private key/);
    try {
      loadSigner(loadConfig({ file: empty, env: { K3SDAAS_KEY_FILE: path } }));
    } catch (err) {
      expect((err as Error).message).not.toContain('not-a-key-secret-value');
    }
  });

  it('privateKey from the environment wins', () => {
    const signer = loadSigner(loadConfig({ file: empty, env: { K3SDAAS_PRIVATE_KEY: a.getSecretKey() } }));
    expect(signer).toMatchObject({ address: a.toSuiAddress(), source: 'privateKey' });
  });

  it('no key anywhere says how to provide one', () => {
    expect(() => loadSigner(loadConfig({ file: empty, env: { K3SDAAS_KEYSTORE: '/nonexistent/sui.keystore' } }))).toThrow(
      /no signing key: set K3SDAAS_KEY_FILE/,
    );
  });
});
