/**
 * The enclave host's local journal: what happened to each request, appended before acting, so that a request is
 * executed at most once across crashes and restarts, and every accepted request is answered.
 *
 *   accepted  seen on chain; safe to execute (nothing has been sent to the apiserver)
 *   started   sent to the apiserver; a crash now leaves the outcome unknown, so it is never re-executed
 *   executed  the sealed, signed-off response is recorded; a crash now only re-sends the answer
 *   done      answered on chain, or no longer answerable (expired / already answered)
 *
 * Bounded: a `done` entry keeps only what duplicate detection needs (no ciphertexts), and once its request's
 * deadline is past (plus a retention) it leaves memory and, at the next compaction, the file — past the deadline the
 * contract refuses any answer and nautilus never executes, so nothing can need it. Done-but-unanswered entries
 * (the Request may still be on chain) stay until the janitor has had its chance, and are listed by
 * `awaitingExpiry()` so a restarted nautilus schedules their expiry again.
 *
 * Every record is written (write(2)) before `record` returns, so a SIGKILL never loses one. Records that must also
 * survive a power loss (`started`) are followed by `await durable()`: group commit — one fsync, off the event loop,
 * covers every record written until it starts, so a burst of requests shares one instead of paying one each.
 */
import { closeSync, existsSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RequestSubmitted } from '../core/events/index.js';

export type JournalState = 'accepted' | 'started' | 'executed' | 'done';

export interface ExecutedResponse {
  status: number;
  bodyDigest: string; // hex
  bodySize: number;
  body: string; // base64 ciphertext
  /** Blob id when the ciphertext is off chain. */
  bodyBlob?: string;
  executedMs: number;
}

export interface JournalEntry {
  requestId: string;
  state: JournalState;
  /** The chain event, kept so work can resume from the journal alone. */
  event?: SerializedEvent;
  response?: ExecutedResponse;
  outcome?: string;
  /** The request's deadline (epoch ms), kept once `done` drops the event. */
  deadlineMs?: number;
}

/** `done` outcomes after which the Request may still be on chain, unanswered: the janitor must expire it. */
const AWAITING_EXPIRY = new Set(['deadline passed', 'deadline passed before execution']);

export interface JournalOptions {
  now?: () => number;
  /** How long past its deadline an answered (or expired) entry is kept (default 1 min). */
  retainMs?: number;
  /** How long past its deadline a done-but-unanswered entry waits for the janitor (default 15 min). */
  awaitingExpiryMs?: number;
  /** Compact after this many records (default 512). */
  compactEvery?: number;
}

function deadlineOf(e: JournalEntry | undefined): number | undefined {
  if (!e) return undefined;
  if (e.deadlineMs !== undefined) return e.deadlineMs;
  const d = e.event?.deadlineMs;
  if (typeof d === 'string' && d.startsWith('n:')) return Number(d.slice(2));
  return typeof d === 'number' || typeof d === 'string' ? Number(d) : undefined;
}

export type SerializedEvent = Record<string, string | number | boolean | null>;

export function serializeEvent(ev: RequestSubmitted): SerializedEvent {
  const out: SerializedEvent = {};
  for (const [k, v] of Object.entries(ev)) {
    out[k] = v instanceof Uint8Array ? 'b64:' + Buffer.from(v).toString('base64') : typeof v === 'bigint' ? 'n:' + v : (v as string);
  }
  return out;
}

export function deserializeEvent(s: SerializedEvent): RequestSubmitted {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (typeof v === 'string' && v.startsWith('b64:')) out[k] = new Uint8Array(Buffer.from(v.slice(4), 'base64'));
    else if (typeof v === 'string' && v.startsWith('n:')) out[k] = BigInt(v.slice(2));
    else out[k] = v;
  }
  return out as unknown as RequestSubmitted;
}

export class Journal {
  readonly #entries = new Map<string, JournalEntry>();
  #fd: number | null;
  readonly #now: () => number;
  readonly #retainMs: number;
  readonly #awaitingExpiryMs: number;
  readonly #compactEvery: number;
  #sinceCompaction = 0;
  /** Lines in the file now (for deciding when rewriting it pays). */
  #lines = 0;
  /** Records written so far, and how many of them an fsync has covered (group commit). */
  #written = 0;
  #synced = 0;
  /** Callers of durable() waiting for an fsync covering record number `upTo`. */
  #waiters: Array<{ upTo: number; resolve: () => void; reject: (err: Error) => void }> = [];
  /** An fsync is scheduled or in flight (at most one at a time; the next one covers what was written meanwhile). */
  #syncing = false;
  /** The descriptor an fsync is running on, and whether it was replaced meanwhile (then closed when it ends). */
  #inFlight: number | null = null;
  #retiredInFlight = false;
  /** fsyncs made for durable() (group commit: far fewer than records; tests and metrics). */
  #fsyncs = 0;

  /** `file` undefined → in memory only (tests). */
  constructor(
    readonly file?: string,
    options: JournalOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#retainMs = options.retainMs ?? 60_000;
    this.#awaitingExpiryMs = options.awaitingExpiryMs ?? 15 * 60_000;
    this.#compactEvery = options.compactEvery ?? 512;
    if (!file) {
      this.#fd = null;
      return;
    }
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        this.#lines++;
        try {
          this.#apply(JSON.parse(line) as JournalEntry);
        } catch {
          // A torn last line from a crash mid-write: everything before it is intact.
        }
      }
    }
    this.#fd = openSync(file, 'a', 0o600);
    // After a torn last line, start on a fresh line so the next record is not glued to the fragment.
    if (existsSync(file) && statSync(file).size > 0 && !readFileSync(file).subarray(-1).equals(Buffer.from('\n'))) {
      writeSync(this.#fd, '\n');
    }
    this.compact();
  }

  #apply(e: JournalEntry): void {
    const prev = this.#entries.get(e.requestId);
    if (e.state === 'done') {
      // Done: only duplicate detection and the janitor need it now; the ciphertexts go.
      const deadlineMs = e.deadlineMs ?? deadlineOf(prev);
      this.#entries.set(e.requestId, { requestId: e.requestId, state: 'done', outcome: e.outcome, ...(deadlineMs !== undefined ? { deadlineMs } : {}) });
      return;
    }
    this.#entries.set(e.requestId, { ...prev, ...e, event: e.event ?? prev?.event, response: e.response ?? prev?.response });
  }

  get(requestId: string): JournalEntry | undefined {
    return this.#entries.get(requestId);
  }

  /** Entries not yet done, in the order they were accepted. */
  pending(): JournalEntry[] {
    return [...this.#entries.values()].filter((e) => e.state !== 'done');
  }

  /** Done entries whose Request may still be on chain unanswered: schedule their expiry (after a restart, too). */
  awaitingExpiry(): Array<{ requestId: string; deadlineMs: number }> {
    const out: Array<{ requestId: string; deadlineMs: number }> = [];
    for (const e of this.#entries.values()) {
      if (e.state === 'done' && AWAITING_EXPIRY.has(e.outcome ?? '') && e.deadlineMs !== undefined) out.push({ requestId: e.requestId, deadlineMs: e.deadlineMs });
    }
    return out;
  }

  /** fsyncs made so far for durable() callers. */
  get fsyncs(): number {
    return this.#fsyncs;
  }

  /** Entries held in memory (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  record(entry: JournalEntry): void {
    // The deadline travels with `done` so the line alone (after a compaction) knows when it may go.
    const line = entry.state === 'done' && entry.deadlineMs === undefined ? { ...entry, deadlineMs: deadlineOf(this.#entries.get(entry.requestId)) } : entry;
    this.#apply(line);
    if (this.#fd !== null) {
      writeSync(this.#fd, JSON.stringify(line) + '\n');
      this.#lines++;
      this.#written++;
    }
    if (++this.#sinceCompaction >= this.#compactEvery) this.compact();
  }

  /**
   * Resolves once every record written so far is on disk (fsync). "started" is the line that prevents a second
   * execution: the caller awaits this before it acts. All records written in the same tick share one fsync (it
   * starts on setImmediate, after the microtasks of this tick), and records written while it runs share the next.
   */
  durable(): Promise<void> {
    if (this.#fd === null || this.#synced >= this.#written) return Promise.resolve();
    const upTo = this.#written;
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ upTo, resolve, reject }));
    if (!this.#syncing) {
      this.#syncing = true;
      setImmediate(() => this.#sync());
    }
    return p;
  }

  #sync(): void {
    const fd = this.#fd;
    if (fd === null || this.#waiters.length === 0) {
      this.#syncing = false;
      return;
    }
    const upTo = this.#written;
    this.#inFlight = fd;
    this.#fsyncs++;
    fsync(fd, (err) => {
      this.#inFlight = null;
      if (this.#retiredInFlight) {
        // A compaction or close meanwhile synced everything itself (and settled the waiters).
        this.#retiredInFlight = false;
        closeSync(fd);
      } else {
        this.#settle(upTo, err ?? undefined);
      }
      this.#sync();
    });
  }

  /** Resolves (or rejects) the waiters covered by an fsync of the first `upTo` records. */
  #settle(upTo: number, err?: Error): void {
    if (!err && upTo > this.#synced) this.#synced = upTo;
    const covered = this.#waiters.filter((w) => w.upTo <= upTo);
    this.#waiters = this.#waiters.filter((w) => w.upTo > upTo);
    for (const w of covered) {
      if (err) w.reject(err);
      else w.resolve();
    }
  }

  /** Replaces the current descriptor: everything written to it is fsynced first, waiters settled, then it is closed. */
  #retire(): void {
    const fd = this.#fd!;
    if (this.#synced < this.#written) {
      fsyncSync(fd);
      this.#settle(this.#written);
    }
    // An fsync still running on it closes it when it ends (closing it now could let the number be reused under it).
    if (this.#inFlight === fd) this.#retiredInFlight = true;
    else closeSync(fd);
  }

  /**
   * Drops done entries past their deadline (+ retention) from memory, and rewrites the file with what is left when
   * it has grown to more than twice that (write, fsync, rename: a crash leaves either file whole).
   */
  compact(): void {
    this.#sinceCompaction = 0;
    const now = this.#now();
    for (const [id, e] of this.#entries) {
      if (e.state !== 'done') continue;
      const keep = AWAITING_EXPIRY.has(e.outcome ?? '') ? this.#awaitingExpiryMs : this.#retainMs;
      const deadline = e.deadlineMs;
      // Without a known deadline nothing proves it is safe to forget: kept.
      if (deadline !== undefined && now > deadline + keep) this.#entries.delete(id);
    }
    if (this.#fd === null || !this.file || this.#lines <= 2 * this.#entries.size + this.#compactEvery) return;
    const tmp = `${this.file}.compact`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      let text = '';
      for (const e of this.#entries.values()) {
        text += JSON.stringify(e) + '\n';
        if (text.length > 1 << 20) {
          writeSync(fd, text);
          text = '';
        }
      }
      if (text) writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.#retire();
    this.#fd = openSync(this.file, 'a', 0o600);
    this.#lines = this.#entries.size;
  }

  close(): void {
    if (this.#fd !== null) this.#retire();
    this.#fd = null;
  }
}
