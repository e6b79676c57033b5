/** Where a chain follower remembers how far it has read, so it resumes without gaps after a restart. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface CursorStore {
  get(stream: string): string | null;
  set(stream: string, cursor: string): void;
  /** Sets several at once (one file write instead of one each); stores without it get `set` per entry. */
  setAll?(cursors: Record<string, string>): void;
  /** Resolves once everything set so far is stored (a file store writes behind; memory stores have nothing to do). */
  flush?(): Promise<void>;
}

export function memoryCursorStore(initial: Record<string, string> = {}): CursorStore {
  const cursors = new Map(Object.entries(initial));
  return { get: (s) => cursors.get(s) ?? null, set: (s, c) => void cursors.set(s, c) };
}

/**
 * A JSON file, written behind: an update that changes something is kept in memory at once and the file is replaced
 * atomically (write + rename) off the event loop, one write at a time, the newest state each time (updates made
 * during a write are coalesced into the next one). Every file on disk is a whole snapshot of some moment, never
 * ahead of what the follower handed out; a crash loses at most the newest updates, and a follower resuming from an
 * older cursor replays those events, as it would after a crash between handling a page and storing its cursor
 * (consumers are idempotent: nautilus's journal, the join-token issuer's on-chain check). `flush()` waits for the
 * file to hold everything set so far.
 */
export function fileCursorStore(file: string): CursorStore {
  const cursors: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  /** Bumped by every change; what the file holds once `writing` settles is `written`. */
  let version = 0;
  let written = 0;
  let writing: Promise<void> | null = null;
  let failure: unknown = null;
  const write = async (): Promise<void> => {
    while (written < version) {
      const at = version;
      const text = JSON.stringify(cursors);
      mkdirSync(dirname(file), { recursive: true });
      await writeFile(file + '.tmp', text);
      await rename(file + '.tmp', file);
      written = at;
      // A write that went through supersedes an earlier failure: nothing is left to report.
      failure = null;
    }
  };
  const schedule = () => {
    writing ??= write()
      .catch((err) => void (failure = err))
      .finally(() => {
        writing = null;
        if (written < version && failure === null) schedule();
      });
  };
  const setAll = (updates: Record<string, string>) => {
    let changed = false;
    for (const [s, c] of Object.entries(updates)) {
      if (cursors[s] === c) continue;
      cursors[s] = c;
      changed = true;
    }
    if (!changed) return;
    version++;
    schedule();
  };
  return {
    get: (s) => cursors[s] ?? null,
    set: (s, c) => setAll({ [s]: c }),
    setAll,
    async flush() {
      while (writing) await writing;
      if (failure !== null) {
        const err = failure;
        failure = null;
        if (written < version) schedule();
        throw err;
      }
    },
  };
}
