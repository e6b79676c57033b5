import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCursorStore } from './cursor-store.js';

describe('file cursor store', () => {
  it('writes several cursors in one replacement, skips updates that change nothing, and reads them back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'k3sdaas-cursors-')), 'sub', 'cursors.json');
    const store = fileCursorStore(file);
    store.setAll!({ request: 'abc', 'request@checkpoint': '7' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ request: 'abc', 'request@checkpoint': '7' });
    // Each write replaces the file (rename): a new inode. Nothing changed → no write.
    const ino = statSync(file).ino;
    store.setAll!({ 'request@checkpoint': '7' });
    store.set('request', 'abc');
    expect(statSync(file).ino).toBe(ino);
    store.set('request@checkpoint', '8');
    expect(statSync(file).ino).not.toBe(ino);
    const again = fileCursorStore(file);
    expect([again.get('request'), again.get('request@checkpoint'), again.get('other')]).toEqual(['abc', '8', null]);
  });
});
