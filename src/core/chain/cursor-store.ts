/** Where a chain follower remembers how far it has read, so it resumes without gaps after a restart. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface CursorStore {
  get(stream: string): string | null;
  set(stream: string, cursor: string): void;
  /** Sets several at once (one file write instead of one each); stores without it get `set` per entry. */
  setAll?(cursors: Record<string, string>): void;
}

export function memoryCursorStore(initial: Record<string, string> = {}): CursorStore {
  const cursors = new Map(Object.entries(initial));
  return { get: (s) => cursors.get(s) ?? null, set: (s, c) => void cursors.set(s, c) };
}

/** A JSON file, replaced atomically on every update that changes something (a follower re-sets unchanged ones). */
export function fileCursorStore(file: string): CursorStore {
  const cursors: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const setAll = (updates: Record<string, string>) => {
    let changed = false;
    for (const [s, c] of Object.entries(updates)) {
      if (cursors[s] === c) continue;
      cursors[s] = c;
      changed = true;
    }
    if (!changed) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file + '.tmp', JSON.stringify(cursors));
    renameSync(file + '.tmp', file);
  };
  return { get: (s) => cursors[s] ?? null, set: (s, c) => setAll({ [s]: c }), setAll };
}
