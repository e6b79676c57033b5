/**
 * The user's Sui signing key: from `privateKey` (env), `keyFile`, or the Sui CLI keystore (`sui.keystore` plus
 * `client.yaml`'s active address, or `address`). Keys are never printed or logged: only addresses leave here.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { decodeSuiPrivateKey, type Keypair } from '@mysten/sui/cryptography';
import { Secp256k1Keypair } from '@mysten/sui/keypairs/secp256k1';
import { Secp256r1Keypair } from '@mysten/sui/keypairs/secp256r1';
import { fromBase64 } from '@mysten/sui/utils';
import { NativeEd25519Keypair } from '../crypto/keypair.js';
import { ConfigError } from './errors.js';
import type { Config } from './load.js';

const SCHEMES: Record<number, 'ED25519' | 'Secp256k1' | 'Secp256r1'> = { 0: 'ED25519', 1: 'Secp256k1', 2: 'Secp256r1' };

function fromScheme(scheme: string, secret: Uint8Array): Keypair {
  switch (scheme) {
    case 'ED25519':
      return NativeEd25519Keypair.fromSecretKey(secret);
    case 'Secp256k1':
      return Secp256k1Keypair.fromSecretKey(secret);
    case 'Secp256r1':
      return Secp256r1Keypair.fromSecretKey(secret);
    default:
      throw new ConfigError(`unsupported key scheme ${scheme}`);
  }
}

/** Parses `suiprivkey1…` or a keystore entry (base64 of flag ‖ 32-byte secret). */
export function parsePrivateKey(text: string, where: string): Keypair {
  const value = text.trim();
  try {
    if (value.startsWith('suiprivkey1')) {
      const parsed = decodeSuiPrivateKey(value);
      return fromScheme(parsed.scheme, parsed.secretKey);
    }
    const raw = fromBase64(value);
    if (raw.length !== 33 || !(raw[0] in SCHEMES)) throw new Error('bad length');
    return fromScheme(SCHEMES[raw[0]], raw.slice(1));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${where}: not a Sui private key (expected suiprivkey1… or a keystore entry)`);
  }
}

/** Reads every key of a Sui CLI keystore (a JSON array of base64 entries). */
export function readKeystore(file: string): Keypair[] {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ConfigError(`${file}: not a Sui keystore (expected a JSON array of keys)`);
  }
  if (!Array.isArray(entries)) throw new ConfigError(`${file}: not a Sui keystore (expected a JSON array of keys)`);
  return entries.map((e, i) => parsePrivateKey(String(e), `${file} entry ${i}`));
}

function activeAddress(keystore: string): string | undefined {
  const clientYaml = join(dirname(keystore), 'client.yaml');
  if (!existsSync(clientYaml)) return undefined;
  const doc = parse(readFileSync(clientYaml, 'utf8')) as { active_address?: string } | null;
  return doc?.active_address ?? undefined;
}

export interface LoadedKey {
  keypair: Keypair;
  address: string;
  source: 'privateKey' | 'keyFile' | 'keystore';
}

/** Loads the signing key the config names; throws a ConfigError saying what is missing or wrong. */
export function loadSigner(config: Config): LoadedKey {
  const pk = config.get('privateKey');
  if (pk) {
    const keypair = parsePrivateKey(pk, 'privateKey');
    return { keypair, address: keypair.toSuiAddress(), source: 'privateKey' };
  }
  const keyFile = config.get('keyFile');
  if (keyFile) {
    if (!existsSync(keyFile)) throw new ConfigError(`keyFile ${keyFile} does not exist`, { key: 'keyFile' });
    const mode = statSync(keyFile).mode & 0o077;
    if (mode !== 0 && process.platform !== 'win32') {
      throw new ConfigError(`keyFile ${keyFile} is readable by others; run: chmod 600 ${keyFile}`, { key: 'keyFile' });
    }
    const keypair = parsePrivateKey(readFileSync(keyFile, 'utf8'), keyFile);
    return { keypair, address: keypair.toSuiAddress(), source: 'keyFile' };
  }
  const keystore = config.get('keystore')!;
  if (!existsSync(keystore)) {
    throw new ConfigError(
      `no signing key: set K3SDAAS_KEY_FILE / keyFile, K3SDAAS_PRIVATE_KEY, or create a Sui keystore at ${keystore}`,
      { key: 'keystore' },
    );
  }
  const keys = readKeystore(keystore);
  const wanted = (config.get('address') ?? activeAddress(keystore))?.toLowerCase();
  const keypair = wanted ? keys.find((k) => k.toSuiAddress() === wanted) : keys[0];
  if (!keypair) {
    throw new ConfigError(`${keystore} holds no key for address ${wanted}`, { key: 'address' });
  }
  return { keypair, address: keypair.toSuiAddress(), source: 'keystore' };
}
