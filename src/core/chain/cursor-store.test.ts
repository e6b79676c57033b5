import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCursorStore } from './cursor-store.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'k3sdaas-cursors-')), 'sub', 'cursors.json');

describe('file cursor store', () => {
  it('writes several cursors in one replacement, skips updates that change nothing, and reads them back', async () => {
    const file = fresh();
    const store = fileCursorStore(file);
    store.setAll!({ request: 'abc', 'request@checkpoint': '7' });
    await store.flush!();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ request: 'abc', 'request@checkpoint': '7' });
    // Each write replaces the file (rename): a new inode. Nothing changed → no write.
    const ino = statSync(file).ino;
    store.setAll!({ 'request@checkpoint': '7' });
    store.set('request', 'abc');
    await store.flush!();
    expect(statSync(file).ino).toBe(ino);
    store.set('request@checkpoint', '8');
    await store.flush!();
    const again = fileCursorStore(file);
    expect([again.get('request'), again.get('request@checkpoint'), again.get('other')]).toEqual(['abc', '8', null]);
  });

  it('writes behind: reads see an update at once, updates during a write coalesce, and the file ends with the newest', async () => {
    const file = fresh();
    const store = fileCursorStore(file);
    for (let i = 1; i <= 50; i++) store.setAll!({ request: `c${i}`, 'request@checkpoint': String(i) });
    expect(store.get('request')).toBe('c50');
    await store.flush!();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ request: 'c50', 'request@checkpoint': '50' });
    store.set('request', 'c51');
    store.set('request', 'c52');
    await store.flush!();
    expect(fileCursorStore(file).get('request')).toBe('c52');
  });

  it('flush reports a failed write, and the next update writes again once it can', async () => {
    const file = fresh();
    const store = fileCursorStore(file);
    // A non-empty directory where the file goes: the rename fails (for root too).
    mkdirSync(join(file, 'x'), { recursive: true });
    store.set('request', 'a');
    await expect(store.flush!()).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(store.get('request')).toBe('a');
    rmSync(file, { recursive: true });
    store.set('request', 'b');
    await store.flush!();
    expect(fileCursorStore(file).get('request')).toBe('b');
  });
});
