import { mkdtempSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, deserializeEvent, serializeEvent } from './journal.js';

describe('nautilus journal', () => {
  it('survives a restart, tolerates a torn last line, and lists pending work', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'k3sdaas-journal-')), 'journal.jsonl');
    const j = new Journal(file);
    j.record({ requestId: '0x1', state: 'accepted' });
    j.record({ requestId: '0x2', state: 'accepted' });
    j.record({ requestId: '0x1', state: 'started' });
    j.record({ requestId: '0x2', state: 'done', outcome: 'answered' });
    j.close();
    appendFileSync(file, '{"requestId":"0x3","sta');
    const again = new Journal(file);
    expect(again.get('0x1')?.state).toBe('started');
    expect(again.get('0x2')?.state).toBe('done');
    expect(again.get('0x3')).toBeUndefined();
    expect(again.pending().map((e) => e.requestId)).toEqual(['0x1']);
    // The first record after the torn line survives the next restart.
    again.record({ requestId: '0x1', state: 'executed' });
    again.close();
    const third = new Journal(file);
    expect(third.get('0x1')?.state).toBe('executed');
    third.close();
  });

  it('round-trips a chain event through its serialized form', () => {
    const ev = { $kind: 'RequestSubmitted', requestId: '0xa', body: new Uint8Array([1, 2, 3]), bodySize: 3n, gateway: null, role: 1 };
    expect(deserializeEvent(serializeEvent(ev as never))).toEqual(ev);
  });
});
