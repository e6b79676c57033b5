/**
 * Persistence: an append-only journal of JSON lines (genesis, committed transactions with their object writes,
 * checkpoints). Replaying it rebuilds the ledger exactly; nothing is re-executed. One writer per data dir (LOCK).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fromBase64, toBase64 } from './bytes.js';
import type { CheckpointRecord, StoredObject, TransactionRecord } from './types.js';

export type JournalEntry =
  | { t: 'genesis'; chainId: string; objects: StoredObject[]; checkpoint: CheckpointRecord }
  | { t: 'tx'; tx: TransactionRecord; writes: StoredObject[]; deletes: string[] }
  | { t: 'checkpoint'; checkpoint: CheckpointRecord }
  /** A package upgrade: calls may name `packageId` from now on; types keep the original id. */
  | { t: 'upgrade'; packageId: string };

function replacer(this: any, key: string, value: unknown): unknown {
  const raw = this[key];
  if (typeof raw === 'bigint') return { $n: raw.toString() };
  if (raw instanceof Uint8Array) return { $b: toBase64(raw) };
  return value;
}

function reviver(_key: string, value: any): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (typeof value.$n === 'string' && Object.keys(value).length === 1) return BigInt(value.$n);
    if (typeof value.$b === 'string' && Object.keys(value).length === 1) return fromBase64(value.$b);
  }
  return value;
}

export const encodeEntry = (e: JournalEntry) => JSON.stringify(e, replacer);
export const decodeEntry = (line: string) => JSON.parse(line, reviver) as JournalEntry;

export interface Journal {
  append(entry: JournalEntry): void;
  close(): void;
}

export const memoryJournal = (): Journal => ({ append() {}, close() {} });

export class FileJournal implements Journal {
  readonly #fd: number;
  readonly #lock: string;

  private constructor(fd: number, lock: string) {
    this.#fd = fd;
    this.#lock = lock;
  }

  /** Opens (creating if needed) the journal in `dir`, returning the entries already in it. */
  static open(dir: string, options: { reset?: boolean } = {}): { journal: FileJournal; entries: JournalEntry[] } {
    fs.mkdirSync(dir, { recursive: true });
    const lock = path.join(dir, 'LOCK');
    takeLock(lock);
    const file = path.join(dir, 'journal.jsonl');
    if (options.reset) fs.rmSync(file, { force: true });
    const entries: JournalEntry[] = [];
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, 'utf8');
      const lines = text.split('\n');
      let validBytes = 0;
      for (const [i, line] of lines.entries()) {
        if (!line) continue;
        try {
          entries.push(decodeEntry(line));
          validBytes += Buffer.byteLength(line) + 1;
        } catch (err) {
          // A torn last line (crash mid-write) is dropped; anything else is corruption.
          if (i < lines.length - 2) throw new Error(`${file}: line ${i + 1} is corrupt: ${(err as Error).message}`);
          fs.truncateSync(file, validBytes);
        }
      }
    }
    return { journal: new FileJournal(fs.openSync(file, 'a'), lock), entries };
  }

  append(entry: JournalEntry): void {
    fs.writeSync(this.#fd, encodeEntry(entry) + '\n');
  }

  close(): void {
    fs.fsyncSync(this.#fd);
    fs.closeSync(this.#fd);
    fs.rmSync(this.#lock, { force: true });
  }
}

function takeLock(lock: string): void {
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    if (pid && pid !== process.pid && alive(pid)) {
      throw new Error(`data dir is in use by process ${pid} (${lock}); localnet allows one writer`);
    }
    fs.writeFileSync(lock, String(process.pid));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
