import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, FileJournal, type JournalEntry } from './journal.js';

const entry: JournalEntry = {
  t: 'checkpoint',
  checkpoint: { sequenceNumber: 3n, digest: 'd', timestampMs: 1700000000000n, epoch: 0n, transactions: ['a'], networkTotalTransactions: 9n },
};

describe('journal', () => {
  it('round-trips bigints and bytes', () => {
    const tricky = { t: 'genesis', chainId: 'c', objects: [{ contents: new Uint8Array([1, 2, 3]), version: 2n }], checkpoint: entry.checkpoint } as unknown as JournalEntry;
    expect(decodeEntry(encodeEntry(tricky))).toEqual(tricky);
  });

  it('appends, reopens, drops a torn last line and refuses a second writer', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-'));
    try {
      const { journal } = FileJournal.open(dir);
      journal.append(entry);
      fs.appendFileSync(path.join(dir, 'journal.jsonl'), '{"t":"check');
      fs.writeFileSync(path.join(dir, 'LOCK'), '1'); // pid 1 is alive: another writer
      expect(() => FileJournal.open(dir)).toThrow(/in use by process 1/);
      fs.writeFileSync(path.join(dir, 'LOCK'), String(process.pid));
      journal.close();
      const again = FileJournal.open(dir);
      expect(again.entries).toEqual([entry]);
      again.journal.close();
      expect(FileJournal.open(dir, { reset: true }).entries).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
