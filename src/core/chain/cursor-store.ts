/** Where a chain follower remembers how far it has read, so it resumes without gaps after a restart. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface CursorStore {
  get(stream: string): string | null;
  set(stream: string, cursor: string): void;
}

export function memoryCursorStore(initial: Record<string, string> = {}): CursorStore {
  const cursors = new Map(Object.entries(initial));
  return { get: (s) => cursors.get(s) ?? null, set: (s, c) => void cursors.set(s, c) };
}

/** A JSON file, replaced atomically on every update. */
export function fileCursorStore(file: string): CursorStore {
  const cursors: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  return {
    get: (s) => cursors[s] ?? null,
    set: (s, c) => {
      cursors[s] = c;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file + '.tmp', JSON.stringify(cursors));
      renameSync(file + '.tmp', file);
    },
  };
}
