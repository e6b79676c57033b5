/**
 * The worker's X25519 encryption key: the join token is sealed to its public half (recorded on chain in the
 * Worker), so only this machine can read the token. Kept in one JSON file with 0600 permissions in a 0700
 * directory; created on first join, reused afterwards. (The Sui signer is the user's usual one, see config.)
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { encryptionKeyFromSecret, generateEncryptionKey, type EncryptionKeyPair } from '../core/crypto/index.js';
import { WorkerError } from './errors.js';

const KIND = 'k3sdaas-worker-encryption-key';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface KeyFile {
  kind: string;
  version: number;
  publicKey: string;
  secretKey: string;
}

function invalid(file: string, why: string): WorkerError {
  return new WorkerError('WORKER_KEY_INVALID', `worker key file ${file} ${why}`, { data: { file } });
}

/** Reads the key file; throws WORKER_KEY_INVALID (never echoing its contents) when unreadable or too open. */
export function readWorkerKey(file: string): EncryptionKeyPair {
  const mode = statSync(file).mode & 0o077;
  if (mode !== 0 && process.platform !== 'win32') throw invalid(file, `is readable by others; run: chmod 600 ${file}`);
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  } catch {
    throw invalid(file, 'is not a k3sdaas worker key (expected the JSON file `k3sdaas worker join` creates)');
  }
  if (parsed?.kind !== KIND || parsed.version !== 1) throw invalid(file, 'is not a k3sdaas worker key (wrong kind or version)');
  if (typeof parsed.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.secretKey)) throw invalid(file, 'holds a malformed secret key');
  const pair = encryptionKeyFromSecret(Uint8Array.from(Buffer.from(parsed.secretKey, 'hex')));
  if (parsed.publicKey !== hex(pair.publicKey)) throw invalid(file, 'is corrupt: its public key does not belong to its secret key');
  return pair;
}

export function writeWorkerKey(file: string, pair: EncryptionKeyPair): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const body: KeyFile = { kind: KIND, version: 1, publicKey: hex(pair.publicKey), secretKey: hex(pair.secretKey) };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Loads the key, creating it (0600) when the file does not exist yet. */
export function loadOrCreateWorkerKey(file: string): { key: EncryptionKeyPair; created: boolean } {
  if (existsSync(file)) return { key: readWorkerKey(file), created: false };
  const key = generateEncryptionKey();
  writeWorkerKey(file, key);
  return { key, created: true };
}
