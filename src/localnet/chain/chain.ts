/**
 * The ledger and its single writer: live objects, executed transactions, checkpoints and the event index.
 * Transactions are serialised through a promise queue; checkpoints are sealed on an interval (or one per
 * transaction); every change is journaled before it becomes visible.
 */
import { TransactionDataBuilder } from '@mysten/sui/transactions';
import { toBase58 } from '@mysten/sui/utils';
import { verifyTransactionSignature } from '@mysten/sui/verify';
import { NativeEd25519PublicKey } from '../../core/crypto/keypair.js';
import { toBase64 } from './bytes.js';
import { TxRejected } from './errors.js';
import { addr, blake2b256, utf8 } from './ids.js';
import { executeTransaction, type ExecuteResult, type TransactionDataV1 } from './executor.js';
import { decodeTransaction } from './transaction-bytes.js';
import type { PackageContext } from './interpreter.js';
import type { Journal, JournalEntry } from './journal.js';
import type { CheckpointRecord, EventRecord, StoredObject, TransactionRecord } from './types.js';

export interface IndexedEvent {
  /** Global position, the ListEvents cursor. */
  seq: bigint;
  checkpoint: bigint;
  txDigest: string;
  txIndex: number;
  eventIndex: number;
  timestampMs: bigint;
  event: EventRecord;
}

export interface ChainOptions {
  journal: Journal;
  entries: JournalEntry[];
  /** Used when the journal is empty. */
  genesis: () => Extract<JournalEntry, { t: 'genesis' }>;
  checkpointMs: number;
  pkg: PackageContext;
  /** Wall clock in ms (transaction and checkpoint timestamps, the Clock object). Injectable for tests. */
  clock?: () => number;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
}

export { decodeTransaction };

export const EPOCH = 0n;

export class Chain {
  readonly chainId: string;
  readonly objects = new Map<string, StoredObject>();
  readonly transactions = new Map<string, TransactionRecord>();
  readonly checkpoints: CheckpointRecord[] = [];
  readonly events: IndexedEvent[] = [];
  /** Each object's first version (as created), so GetObject can serve it by version (e.g. a creation lookup). */
  readonly firstVersions = new Map<string, StoredObject>();
  readonly pkg: PackageContext;
  readonly #pending: string[] = [];
  readonly #journal: Journal;
  readonly #listeners = new Set<(cp: CheckpointRecord) => void>();
  readonly #log: NonNullable<ChainOptions['log']>;
  readonly #checkpointMs: number;
  readonly #clock: () => number;
  #queue: Promise<unknown> = Promise.resolve();
  #timer?: NodeJS.Timeout;
  #lastTimestamp = 0n;
  #closed = false;

  constructor(options: ChainOptions) {
    this.#journal = options.journal;
    this.#log = options.log ?? (() => {});
    this.#checkpointMs = options.checkpointMs;
    this.#clock = options.clock ?? Date.now;
    this.pkg = options.pkg;
    let entries = options.entries;
    if (entries.length === 0 || entries[0]!.t !== 'genesis') {
      if (entries.length > 0) throw new Error('journal does not start with genesis');
      const genesis = options.genesis();
      this.#journal.append(genesis);
      entries = [genesis];
    }
    this.chainId = (entries[0] as Extract<JournalEntry, { t: 'genesis' }>).chainId;
    for (const e of entries) this.#apply(e);
    // Transactions executed but not checkpointed before a crash are sealed now.
    if (this.#pending.length) this.sealCheckpoint();
    if (this.#checkpointMs > 0) {
      this.#timer = setInterval(() => this.sealCheckpoint(), this.#checkpointMs);
      this.#timer.unref();
    }
  }

  get latestCheckpoint(): CheckpointRecord {
    return this.checkpoints[this.checkpoints.length - 1]!;
  }

  #apply(e: JournalEntry): void {
    switch (e.t) {
      case 'genesis':
        for (const o of e.objects) (this.objects.set(o.id, o), this.firstVersions.set(o.id, o));
        this.#addCheckpoint(e.checkpoint);
        break;
      case 'tx':
        for (const id of e.deletes) this.objects.delete(id);
        for (const o of e.writes) {
          this.objects.set(o.id, o);
          if (!this.firstVersions.has(o.id)) this.firstVersions.set(o.id, o);
        }
        this.transactions.set(e.tx.digest, e.tx);
        this.#pending.push(e.tx.digest);
        if (e.tx.timestampMs > this.#lastTimestamp) this.#lastTimestamp = e.tx.timestampMs;
        break;
      case 'checkpoint':
        this.#addCheckpoint(e.checkpoint);
        break;
      case 'upgrade':
        (this.pkg.upgrades ??= []).push(e.packageId);
        break;
    }
  }

  #addCheckpoint(cp: CheckpointRecord): void {
    this.checkpoints.push(cp);
    if (cp.timestampMs > this.#lastTimestamp) this.#lastTimestamp = cp.timestampMs;
    cp.transactions.forEach((digest, txIndex) => {
      const tx = this.transactions.get(digest);
      if (!tx) return;
      tx.checkpoint = cp.sequenceNumber;
      tx.checkpointIndex = txIndex;
      tx.events.forEach((event, eventIndex) => {
        this.events.push({ seq: BigInt(this.events.length), checkpoint: cp.sequenceNumber, txDigest: digest, txIndex, eventIndex, timestampMs: tx.timestampMs, event });
      });
    });
    const i = this.#pending.findIndex((d) => cp.transactions.includes(d));
    if (i >= 0) this.#pending.splice(0, this.#pending.length, ...this.#pending.filter((d) => !cp.transactions.includes(d)));
  }

  #now(): bigint {
    const now = BigInt(Math.floor(this.#clock()));
    if (now > this.#lastTimestamp) this.#lastTimestamp = now;
    return this.#lastTimestamp;
  }

  /** Seals the pending transactions into a checkpoint (no-op when there are none). */
  sealCheckpoint(): CheckpointRecord | undefined {
    if (this.#closed || this.#pending.length === 0) return undefined;
    const prev = this.latestCheckpoint;
    const transactions = [...this.#pending];
    const sequenceNumber = prev.sequenceNumber + 1n;
    const timestampMs = this.#now();
    const digest = toBase58(blake2b256(utf8('CheckpointSummary::'), utf8(JSON.stringify([sequenceNumber.toString(), prev.digest, timestampMs.toString(), transactions]))));
    const cp: CheckpointRecord = {
      sequenceNumber,
      digest,
      timestampMs,
      epoch: EPOCH,
      previousDigest: prev.digest,
      transactions,
      networkTotalTransactions: prev.networkTotalTransactions + BigInt(transactions.length),
    };
    this.#journal.append({ t: 'checkpoint', checkpoint: cp });
    this.#addCheckpoint(cp);
    this.#log('debug', 'checkpoint', { sequence: Number(sequenceNumber), transactions: transactions.length });
    for (const l of this.#listeners) {
      try {
        l(cp);
      } catch (err) {
        this.#log('warn', 'checkpoint listener failed', { error: (err as Error).message });
      }
    }
    return cp;
  }

  /**
   * Upgrades the K3s-DaaS package: a new package id whose functions are the same twin. Calls may use either id;
   * objects and events keep the original id in their types (as after `sui client upgrade`). Returns the new id.
   */
  upgradePackage(): string {
    const n = (this.pkg.upgrades?.length ?? 0) + 1;
    const packageId = addr(Buffer.from(blake2b256(utf8('package-upgrade::'), utf8(this.pkg.packageId), utf8(String(n)))).toString('hex'));
    const entry = { t: 'upgrade' as const, packageId };
    this.#journal.append(entry);
    this.#apply(entry);
    this.#log('info', 'package upgraded', { original: this.pkg.packageId, packageId, version: n + 1 });
    return packageId;
  }

  /** Resolves once the transaction is in a checkpoint. */
  waitCheckpointed(digest: string, signal?: AbortSignal): Promise<void> {
    if (this.transactions.get(digest)?.checkpoint !== undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        off();
        signal?.removeEventListener('abort', aborted);
      };
      const off = this.onCheckpoint((cp) => {
        if (cp.transactions.includes(digest)) {
          done();
          resolve();
        }
      });
      const aborted = () => {
        done();
        reject(new Error('aborted'));
      };
      signal?.addEventListener('abort', aborted);
    });
  }

  /** A transaction is visible to readers once checkpointed (as on a Sui full node). */
  checkpointedTransaction(digest: string): TransactionRecord | undefined {
    const tx = this.transactions.get(digest);
    return tx?.checkpoint !== undefined ? tx : undefined;
  }

  onCheckpoint(fn: (cp: CheckpointRecord) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Runs `fn` after every transaction already queued (the single writer). */
  enqueue<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Decodes, verifies and executes a signed transaction. Throws TxRejected for anything refused. */
  async execute(txBytes: Uint8Array, signatures: Uint8Array[]): Promise<TransactionRecord> {
    if (this.#closed) throw new TxRejected(14, 'localnet is shutting down');
    const data = decodeTransaction(txBytes);
    const digest = TransactionDataBuilder.getDigestFromBytes(txBytes);
    await verifySigners(data, txBytes, signatures);
    return this.enqueue(() => this.#commit(data, txBytes, digest, signatures));
  }

  #commit(data: TransactionDataV1, txBytes: Uint8Array, digest: string, signatures: Uint8Array[]): TransactionRecord {
    const timestampMs = this.#now();
    const result = this.run(data, txBytes.length, { digest, timestampMs });
    const tx: TransactionRecord = {
      digest,
      transactionBcs: txBytes,
      signatures,
      effects: result.effects,
      events: result.events,
      timestampMs,
      balanceChanges: result.balanceChanges,
    };
    this.#journal.append({ t: 'tx', tx, writes: result.writes, deletes: result.deletes });
    this.#apply({ t: 'tx', tx, writes: result.writes, deletes: result.deletes });
    this.#log('info', 'transaction', {
      digest,
      sender: addr(data.sender),
      status: result.effects.status.success ? 'success' : 'failure',
      ...(result.effects.status.success ? {} : { error: result.effects.status.error.message }),
    });
    if (this.#checkpointMs === 0) this.sealCheckpoint();
    return tx;
  }

  /** Executes without committing (simulation and the executor's own use). */
  run(data: TransactionDataV1, txBytes: number, o: { digest: string; timestampMs?: bigint; simulate?: boolean; estimate?: boolean }): ExecuteResult {
    return executeTransaction(data, txBytes, this.objects, {
      digest: o.digest,
      timestampMs: o.timestampMs ?? this.#now(),
      epoch: EPOCH,
      chainId: this.chainId,
      pkg: this.pkg,
      simulate: o.simulate,
      estimate: o.estimate,
      executed: (d) => this.transactions.has(d),
    });
  }

  /** Objects owned by an address, in id order. */
  ownedBy(owner: string): StoredObject[] {
    const a = addr(owner);
    return [...this.objects.values()]
      .filter((o) => o.owner.$kind === 'AddressOwner' && o.owner.AddressOwner === a)
      .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    await this.#queue;
    this.sealCheckpoint();
    this.#closed = true;
    this.#listeners.clear();
    this.#journal.close();
  }
}

async function verifySigners(data: TransactionDataV1, txBytes: Uint8Array, signatures: Uint8Array[]): Promise<void> {
  if (signatures.length === 0) throw new TxRejected(3, 'transaction has no signatures');
  const signers = new Set<string>();
  for (const [i, sig] of signatures.entries()) {
    try {
      signers.add(await transactionSigner(txBytes, sig));
    } catch (err) {
      throw new TxRejected(3, `signature ${i} is invalid: ${(err as Error).message}`);
    }
  }
  const required = new Set([addr(data.sender), addr(data.gasData.owner)]);
  for (const r of required) {
    if (!signers.has(r)) throw new TxRejected(3, `transaction must be signed by ${r === addr(data.sender) ? 'the sender' : 'the gas owner'} ${r}`);
  }
  for (const s of signers) if (!required.has(s)) throw new TxRejected(3, `unexpected signature by ${s}`);
}

const ED25519_SIGNATURE_SIZE = 1 + 64 + 32;

/**
 * The address that signed `txBytes`; throws when the signature does not verify. Ed25519 (what nearly every
 * transaction carries) is checked with node:crypto; other schemes by the SDK.
 */
async function transactionSigner(txBytes: Uint8Array, sig: Uint8Array): Promise<string> {
  if (sig[0] === 0 && sig.length === ED25519_SIGNATURE_SIZE) {
    const pk = new NativeEd25519PublicKey(sig.subarray(65));
    if (!(await pk.verifyTransaction(txBytes, toBase64(sig)))) throw new Error('Signature is not valid for the provided Transaction');
    return pk.toSuiAddress();
  }
  return (await verifyTransactionSignature(txBytes, toBase64(sig))).toSuiAddress();
}
