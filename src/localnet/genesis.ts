/**
 * Genesis of localnet: the K3s-DaaS package at a fixed id, the Clock, funded dev accounts with deterministic
 * Ed25519 keys (derived from a fixed seed, so every localnet has the same accounts), and the faucet's account.
 */
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { toBase58 } from '@mysten/sui/utils';
import { addr, blake2b256, CLOCK_ID, CLOCK_TYPE, coinContents, deriveObjectId, objectDigest, SUI_COIN_TYPE, u64le, utf8 } from './chain/ids.js';
import { clockContents } from './chain/interpreter.js';
import { STORAGE_COST_PER_BYTE } from './chain/executor.js';
import type { CheckpointRecord, StoredObject } from './chain/types.js';

export const LOCALNET_PACKAGE_ID = '0x000000000000000000000000000000000000000000000000000000000000da45';

export const MIST_PER_SUI = 1_000_000_000n;
/** Dev accounts and their coins at genesis. */
export const DEV_ACCOUNT_COUNT = 4;
export const DEV_COINS_PER_ACCOUNT = 5;
export const DEV_COIN_BALANCE = 1_000n * MIST_PER_SUI;
const FAUCET_COINS = 20;
const FAUCET_COIN_BALANCE = 10_000_000n * MIST_PER_SUI;

export interface DevAccount {
  /** 0-based index; `k3sdaas localnet` prints these. */
  index: number;
  address: string;
  /** Bech32 `suiprivkey1…` secret (import with `Ed25519Keypair.fromSecretKey` or `sui keytool import`). */
  secretKey: string;
  keypair: Ed25519Keypair;
}

const seedFor = (label: string) => blake2b256(utf8(`k3sdaas-localnet:${label}`));

function account(index: number, label: string): DevAccount {
  const keypair = Ed25519Keypair.fromSecretKey(seedFor(label));
  return { index, address: keypair.toSuiAddress(), secretKey: keypair.getSecretKey(), keypair };
}

/** The funded dev accounts (same on every localnet). */
export const DEV_ACCOUNTS: readonly DevAccount[] = Array.from({ length: DEV_ACCOUNT_COUNT }, (_, i) => account(i, `dev-account-${i}`));
/** The account the faucet pays from. */
export const FAUCET_ACCOUNT: DevAccount = account(-1, 'faucet');

export const GENESIS_DIGEST = toBase58(seedFor('genesis-transaction'));

function genesisObject(id: string, type: string, contents: Uint8Array, owner: StoredObject['owner'], isMoveObject = true): StoredObject {
  const base = {
    id,
    version: 1n,
    owner,
    type,
    contents,
    previousTransaction: GENESIS_DIGEST,
    storageRebate: BigInt(contents.length + type.length + 64) * STORAGE_COST_PER_BYTE,
    isMoveObject,
  };
  return { ...base, digest: objectDigest(base) };
}

export interface Genesis {
  chainId: string;
  objects: StoredObject[];
  checkpoint: CheckpointRecord;
}

export function buildGenesis(timestampMs: bigint): Genesis {
  const objects: StoredObject[] = [];
  let counter = 0;
  const coin = (owner: string, value: bigint) => {
    const id = deriveObjectId(GENESIS_DIGEST, counter++);
    objects.push(genesisObject(id, SUI_COIN_TYPE, coinContents(id, value), { $kind: 'AddressOwner', AddressOwner: addr(owner) }));
  };
  for (const a of DEV_ACCOUNTS) for (let i = 0; i < DEV_COINS_PER_ACCOUNT; i++) coin(a.address, DEV_COIN_BALANCE);
  for (let i = 0; i < FAUCET_COINS; i++) coin(FAUCET_ACCOUNT.address, FAUCET_COIN_BALANCE);
  objects.push(genesisObject(CLOCK_ID, CLOCK_TYPE, clockContents(timestampMs), { $kind: 'Shared', Shared: { initialSharedVersion: '1' } }));
  objects.push(genesisObject(addr(LOCALNET_PACKAGE_ID), 'package', utf8('k3sdaas'), { $kind: 'Immutable', Immutable: true }, false));
  // The chain id is the genesis checkpoint digest; fixed content makes it stable across machines.
  const digest = toBase58(blake2b256(utf8('CheckpointSummary::'), utf8(LOCALNET_PACKAGE_ID), u64le(0)));
  const checkpoint: CheckpointRecord = { sequenceNumber: 0n, digest, timestampMs, epoch: 0n, transactions: [], networkTotalTransactions: 0n };
  return { chainId: digest, objects, checkpoint };
}
