import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateWorkerKey, readWorkerKey } from './keys.js';

describe('worker key store', () => {
  it('creates the key once (0600 in a 0700 dir) and reuses it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'wkey-')), 'worker');
    const file = join(dir, 'encryption-key.json');
    const first = loadOrCreateWorkerKey(file);
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const again = loadOrCreateWorkerKey(file);
    expect(again.created).toBe(false);
    expect(Buffer.from(again.key.publicKey).equals(Buffer.from(first.key.publicKey))).toBe(true);
  });

  it('refuses files others can read, foreign files and corrupt keys, without echoing them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wkey-'));
    const file = join(dir, 'k.json');
    loadOrCreateWorkerKey(file);
    chmodSync(file, 0o640);
    expect(() => readWorkerKey(file)).toThrow(/readable by others; run: chmod 600/);
    chmodSync(file, 0o600);
    const body = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...body, publicKey: '00'.repeat(32) }));
    expect(() => readWorkerKey(file)).toThrow(/its public key does not belong to its secret key/);
    writeFileSync(file, JSON.stringify({ ...body, secretKey: 'zz' }));
    expect(() => readWorkerKey(file)).toThrow(/malformed secret key/);
    writeFileSync(file, 'suiprivkey1secretsecret');
    try {
      readWorkerKey(file);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/is not a k3sdaas worker key/);
      expect((err as Error).message).not.toContain('secretsecret');
    }
  });
});
