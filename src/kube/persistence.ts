/**
 * Crash-safe persistence of the store: an append-only JSON-lines log of every change, group-committed (one
 * write + fdatasync for all queued changes) before the API answers, plus a snapshot written by compaction (temp file, fsync, rename). A torn last line (SIGKILL mid-write)
 * is ignored on load; nothing acknowledged is lost.
 */
import { closeSync, existsSync, fdatasync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, truncateSync, write, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KubeObject } from './types.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change as logged and kept in the watch history: the object after the change (the last state for DELETED). */
export interface ChangeRecord {
  type: ChangeType;
  rv: number;
  /** `group/plural` of the resource. */
  key: string;
  /** `namespace/name` ('' namespace for cluster-scoped). */
  id: string;
  obj: KubeObject;
  /** When the change was made (ms since the epoch), for time-based compaction. */
  at?: number;
}

/** The state before the first retained change: objects by resource key and id, and the RV they were current at. */
export interface Snapshot {
  rv: number;
  objects: [key: string, id: string, obj: KubeObject][];
}

export interface Loaded {
  snapshot: Snapshot;
  records: ChangeRecord[];
}

const SNAPSHOT = 'snapshot.json';
const LOG = 'changes.jsonl';
const LOCK = 'lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeDurably(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  } finally {
    closeSync(dir);
  }
}

export class StoreLog {
  private fd: number;
  private pending: string[] = [];
  private scheduled = false;
  private inFlight: Promise<void> | null = null;

  private constructor(private readonly dir: string) {
    this.fd = openSync(join(dir, LOG), 'a', 0o600);
  }

  /** One process per data dir: a pid lock file, reclaimed when its process is gone (e.g. after a SIGKILL). */
  private static lock(dir: string): void {
    const path = join(dir, LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(path, 'utf8').trim());
        if (pid && pid !== process.pid && alive(pid)) {
          throw new Error(`the Kubernetes data dir ${dir} is in use by process ${pid}; stop it or use another --data-dir`);
        }
        rmSync(path, { force: true });
      }
    }
  }

  /** Opens (creating) the data dir and reads what it holds; `undefined` when it holds nothing yet. */
  static open(dir: string): { log: StoreLog; loaded?: Loaded } {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const snapPath = join(dir, SNAPSHOT);
    const logPath = join(dir, LOG);
    let loaded: Loaded | undefined;
    if (existsSync(snapPath) || existsSync(logPath)) {
      const snapshot: Snapshot = existsSync(snapPath) ? (JSON.parse(readFileSync(snapPath, 'utf8')) as Snapshot) : { rv: 0, objects: [] };
      const records: ChangeRecord[] = [];
      if (existsSync(logPath)) {
        const text = readFileSync(logPath, 'utf8');
        // every append ends with a newline: text after the last one is a write torn by a crash, never acknowledged
        const complete = text.lastIndexOf('\n') + 1;
        if (complete < text.length) truncateSync(logPath, Buffer.byteLength(text.slice(0, complete)));
        for (const [i, line] of text.slice(0, complete).split('\n').entries()) {
          if (!line.trim()) continue;
          let r: ChangeRecord;
          try {
            r = JSON.parse(line) as ChangeRecord;
          } catch (err) {
            throw new Error(`kube store log ${logPath} is corrupt at line ${i + 1}: ${(err as Error).message}`);
          }
          if (r.rv > snapshot.rv && (records.length === 0 || r.rv > records[records.length - 1].rv)) records.push(r);
        }
      }
      loaded = { snapshot, records };
    }
    StoreLog.lock(dir);
    return { log: new StoreLog(dir), loaded };
  }

  /**
   * Queues records for the log. They become durable with the next `flush()` (group commit: one write and one
   * fdatasync for everything queued); the API awaits it before answering, and a flush is scheduled anyway.
   */
  append(records: ChangeRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) this.pending.push(`${JSON.stringify(r)}\n`);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush().catch(() => undefined);
      });
    }
  }

  /** Whether a flush is writing right now (compaction waits for it). */
  busy(): boolean {
    return this.inFlight !== null;
  }

  /** Resolves once everything appended so far is on disk. */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    const fd = this.fd;
    this.inFlight = (async () => {
      await new Promise<void>((resolve, reject) => write(fd, chunk, (err) => (err ? reject(err) : resolve())));
      await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    })().finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
  }

  /** Writes what is queued synchronously (compaction, close). */
  private flushSync(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(''));
    fsyncSync(this.fd);
    this.pending = [];
  }

  /** Replaces snapshot and log: the snapshot first (durable), then a log holding only the retained records. */
  compact(snapshot: Snapshot, retained: ChangeRecord[]): void {
    if (this.inFlight) throw new Error('kube store log: compaction while a flush is in flight');
    this.flushSync();
    writeDurably(join(this.dir, SNAPSHOT), JSON.stringify(snapshot));
    closeSync(this.fd);
    writeDurably(join(this.dir, LOG), retained.map((r) => `${JSON.stringify(r)}\n`).join(''));
    this.fd = openSync(join(this.dir, LOG), 'a', 0o600);
  }

  close(): void {
    try {
      this.flushSync();
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(join(this.dir, LOCK), { force: true });
  }

  /** Removes everything the store keeps in `dir` (the sandbox's `--reset`). */
  static wipe(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }
}
