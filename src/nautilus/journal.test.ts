import { mkdtempSync, appendFileSync, statSync } from 'node:fs';
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

describe('journal compaction', () => {
  const event = (id: string, deadlineMs: number) => serializeEvent({ $kind: 'RequestSubmitted', requestId: id, deadlineMs: BigInt(deadlineMs), body: new Uint8Array(2048) } as never);
  const response = { status: 200, bodyDigest: 'aa', bodySize: 4096, body: Buffer.alloc(4096).toString('base64'), executedMs: 0 };

  /** Runs `n` requests through accepted → started → executed → done, `gapMs` apart, each with a 30 s deadline. */
  function run(j: Journal, clock: { t: number }, from: number, n: number, gapMs = 100) {
    for (let i = from; i < from + n; i++) {
      const id = `0x${i.toString(16)}`;
      clock.t += gapMs;
      j.record({ requestId: id, state: 'accepted', event: event(id, clock.t + 30_000) });
      j.record({ requestId: id, state: 'started' });
      j.record({ requestId: id, state: 'executed', response });
      j.record({ requestId: id, state: 'done', outcome: 'answered' });
    }
  }

  it('memory is flat (±10 %) between 2,000 and 10,000 requests: answered entries leave once past their deadline', () => {
    const clock = { t: 1_000_000 };
    const j = new Journal(undefined, { now: () => clock.t });
    run(j, clock, 0, 2_000);
    j.compact();
    const at2k = j.size;
    run(j, clock, 2_000, 8_000);
    j.compact();
    const at10k = j.size;
    // Retained = requests within deadline + retention (90 s at one request per 100 ms), whatever the total.
    expect(at2k).toBe(901);
    expect(Math.abs(at10k - at2k) / at2k).toBeLessThanOrEqual(0.1);
    expect(j.get('0x1')).toBeUndefined();
    const id = `0x${(9_999).toString(16)}`;
    // Done entries hold no ciphertexts: only what duplicate detection and the janitor need.
    expect(j.get(id)).toEqual({ requestId: id, state: 'done', outcome: 'answered', deadlineMs: clock.t + 30_000 });
  });

  it('the file is rewritten without the dropped entries, and a restart reads it back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'k3sdaas-journal-')), 'journal.jsonl');
    const clock = { t: 1_000_000 };
    const j = new Journal(file, { now: () => clock.t });
    // One request per second: 90 retained; 600 requests of ~8 KiB of lines each would be 4.9 MB uncompacted.
    run(j, clock, 0, 600, 1_000);
    const bytes = statSync(file).size;
    expect(bytes).toBeLessThan(1.5 * 1024 * 1024);
    expect(j.size).toBeLessThanOrEqual(91 + 128);
    j.close();
    const again = new Journal(file, { now: () => clock.t });
    expect(again.size).toBeLessThanOrEqual(91 + 128);
    expect(again.pending()).toEqual([]);
    expect(again.get(`0x${(599).toString(16)}`)?.state).toBe('done');
    again.record({ requestId: '0xnew', state: 'accepted' });
    again.close();
    expect(new Journal(file, { now: () => clock.t }).get('0xnew')?.state).toBe('accepted');
  });

  it('the number of retained entries depends on time, not on how many requests there were', () => {
    const clock = { t: 0 };
    const j = new Journal(undefined, { now: () => clock.t, compactEvery: 100 });
    run(j, clock, 0, 2_000, 10);
    clock.t += 200_000;
    j.compact();
    const a = j.size;
    run(j, clock, 2_000, 10_000, 10);
    clock.t += 200_000;
    j.compact();
    expect(a).toBe(0);
    expect(j.size).toBe(0);
  });

  it('done-but-unanswered entries are listed for the janitor after a restart, until long past their deadline', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'k3sdaas-journal-')), 'journal.jsonl');
    const clock = { t: 0 };
    const j = new Journal(file, { now: () => clock.t });
    j.record({ requestId: '0xa', state: 'accepted', event: event('0xa', 30_000) });
    j.record({ requestId: '0xa', state: 'done', outcome: 'deadline passed before execution' });
    j.record({ requestId: '0xb', state: 'accepted', event: event('0xb', 30_000) });
    j.record({ requestId: '0xb', state: 'done', outcome: 'answered' });
    j.close();
    clock.t = 120_000;
    const again = new Journal(file, { now: () => clock.t });
    expect(again.awaitingExpiry()).toEqual([{ requestId: '0xa', deadlineMs: 30_000 }]);
    // The answered one is past deadline + retention: gone; the unanswered one is still known (no re-execution).
    expect(again.get('0xb')).toBeUndefined();
    expect(again.get('0xa')?.state).toBe('done');
    again.record({ requestId: '0xa', state: 'done', outcome: 'expired' });
    expect(again.awaitingExpiry()).toEqual([]);
    again.close();
  });
});

describe('journal group commit', () => {
  const tmpJournal = () => join(mkdtempSync(join(tmpdir(), 'k3sdaas-journal-')), 'journal.jsonl');

  it('records written in one tick share one fsync; each durable() resolves only after it', async () => {
    const j = new Journal(tmpJournal());
    const resolved: string[] = [];
    const waits = Array.from({ length: 50 }, (_, i) => {
      j.record({ requestId: `0x${i}`, state: 'started' });
      return j.durable().then(() => resolved.push(`0x${i}`));
    });
    // Nothing is durable before the fsync has run.
    await Promise.resolve();
    expect(resolved).toEqual([]);
    await Promise.all(waits);
    expect(resolved).toHaveLength(50);
    expect(j.fsyncs).toBe(1);
    // Nothing new written: nothing to wait for.
    await j.durable();
    expect(j.fsyncs).toBe(1);
    j.close();
  });

  it('records written while an fsync runs are covered by the next one, not the running one', async () => {
    const j = new Journal(tmpJournal());
    j.record({ requestId: '0x1', state: 'started' });
    const first = j.durable();
    // Let the first fsync start (setImmediate), then write more while it may still run.
    await new Promise((r) => setImmediate(r));
    j.record({ requestId: '0x2', state: 'started' });
    const second = j.durable();
    await Promise.all([first, second]);
    expect(j.fsyncs).toBe(2);
    j.close();
  });

  it('a close with an fsync pending settles the waiters itself, and the records survive', async () => {
    const file = tmpJournal();
    const j = new Journal(file);
    for (let i = 0; i < 3; i++) j.record({ requestId: `0x${i}`, state: 'accepted' });
    const waiting = j.durable();
    j.record({ requestId: '0x0', state: 'started' });
    const later = j.durable();
    j.close();
    await Promise.all([waiting, later]);
    const again = new Journal(file);
    expect(again.get('0x0')?.state).toBe('started');
    expect(again.pending()).toHaveLength(3);
    again.close();
  });

  it('a close while an fsync runs leaves that descriptor to it (closed when it ends); later waiters settle at once', async () => {
    const file = tmpJournal();
    const j = new Journal(file);
    j.record({ requestId: '0x1', state: 'started' });
    const first = j.durable();
    await new Promise((r) => setImmediate(r));
    j.record({ requestId: '0x2', state: 'started' });
    const second = j.durable();
    j.close();
    await Promise.all([first, second]);
    await new Promise((r) => setTimeout(r, 20));
    const again = new Journal(file);
    expect(again.pending().map((e) => e.requestId)).toEqual(['0x1', '0x2']);
    again.close();
  });

  it('in memory (no file), durable() resolves at once', async () => {
    const j = new Journal();
    j.record({ requestId: '0x1', state: 'started' });
    await j.durable();
    expect(j.fsyncs).toBe(0);
  });
});
