/**
 * The enclave host's local journal: what happened to each request, appended before acting, so that a request is
 * executed at most once across crashes and restarts, and every accepted request is answered.
 *
 *   accepted  seen on chain; safe to execute (nothing has been sent to the apiserver)
 *   started   sent to the apiserver; a crash now leaves the outcome unknown, so it is never re-executed
 *   executed  the sealed, signed-off response is recorded; a crash now only re-sends the answer
 *   done      answered on chain, or no longer answerable (expired / already answered)
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
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
  readonly #fd: number | null;

  /** `file` undefined → in memory only (tests). */
  constructor(readonly file?: string) {
    if (!file) {
      this.#fd = null;
      return;
    }
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
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
  }

  #apply(e: JournalEntry): void {
    const prev = this.#entries.get(e.requestId);
    this.#entries.set(e.requestId, { ...prev, ...e, event: e.event ?? prev?.event, response: e.response ?? prev?.response });
  }

  get(requestId: string): JournalEntry | undefined {
    return this.#entries.get(requestId);
  }

  /** Entries not yet done, in the order they were accepted. */
  pending(): JournalEntry[] {
    return [...this.#entries.values()].filter((e) => e.state !== 'done');
  }

  record(entry: JournalEntry): void {
    this.#apply(entry);
    if (this.#fd !== null) {
      writeSync(this.#fd, JSON.stringify(entry) + '\n');
      // "started" is the line that prevents a second execution: make sure it is on disk before we act.
      if (entry.state === 'started') fsyncSync(this.#fd);
    }
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
  }
}
