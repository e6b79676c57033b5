import { describe, expect, it } from 'vitest';
import { initialView, keyAction, selectedKey, viewReducer, type ViewAction, type ViewState } from './view.js';
import { jsonLine, plainLine } from './plain.js';
import { SCRIPT } from './fixtures.js';

const run = (actions: ViewAction[], state: ViewState = initialView) => actions.reduce(viewReducer, state);
const keys = ['a', 'b', 'c'];

describe('view reducer', () => {
  it('follows the newest row until the selection moves, and again once back at the bottom', () => {
    expect(selectedKey(initialView, keys)).toBe('c');
    const up = run([{ type: 'move', by: -1, keys }]);
    expect(selectedKey(up, [...keys, 'd'])).toBe('b');
    const back = run([{ type: 'move', by: 1, keys }], up);
    expect(back.selected).toBeNull();
    expect(selectedKey(back, [...keys, 'd'])).toBe('d');
    expect(run([{ type: 'move', by: -10, keys }]).selected).toBe('a');
  });

  it('falls back to the newest row when the selected one is filtered out', () => {
    expect(selectedKey({ ...initialView, selected: 'zz' }, keys)).toBe('c');
    expect(selectedKey(initialView, [])).toBeNull();
  });

  it('filter: / starts from the applied filter, typing edits the draft, Enter applies, Esc cancels', () => {
    let s = run([{ type: 'filter-start' }, { type: 'filter-type', text: 'pod' }, { type: 'filter-erase' }, { type: 'filter-apply' }]);
    expect(s).toMatchObject({ mode: 'table', filter: 'po' });
    s = run([{ type: 'filter-start' }, { type: 'filter-type', text: 'x' }, { type: 'filter-cancel' }], s);
    expect(s).toMatchObject({ mode: 'table', filter: 'po', draft: 'po' });
  });

  it('keys mean different things per mode', () => {
    expect(keyAction(initialView, 'q', {}, keys)).toEqual({ type: 'quit' });
    expect(keyAction({ ...initialView, mode: 'filter' }, 'q', {}, keys)).toEqual({ type: 'filter-type', text: 'q' });
    expect(keyAction(initialView, '', { return: true }, keys)).toEqual({ type: 'open' });
    expect(keyAction({ ...initialView, mode: 'details' }, '', { return: true }, keys)).toEqual({ type: 'close' });
    expect(keyAction({ ...initialView, mode: 'details' }, '', { escape: true }, keys)).toEqual({ type: 'close' });
    expect(keyAction({ ...initialView, filter: 'x' }, '', { escape: true }, keys)).toEqual({ type: 'filter-clear' });
    expect(keyAction(initialView, '/', {}, keys)).toEqual({ type: 'filter-start' });
    expect(keyAction(initialView, '', { upArrow: true }, keys)).toEqual({ type: 'move', by: -1, keys });
    expect(run([{ type: 'key', input: 'q', key: {}, keys }]).quit).toBe(true);
  });
});

describe('plain output', () => {
  it('one line per event, full ids', () => {
    const lines = SCRIPT.map(plainLine);
    expect(lines).toHaveLength(SCRIPT.length);
    expect(lines.find((l) => l.includes(' rejected '))).toMatch(
      /^2026-01-15T12:00:05.000Z rejected\s+create configmaps -n default by 0x(b2){32}: access::ERoleCannotWrite: your SealToken's role does not allow writes/,
    );
    expect(lines.find((l) => l.includes(' stored ') && l.includes('status 200'))).toContain('latency 840ms (submit→answer)');
    expect(lines.find((l) => l.includes('worker-registered'))).toContain('node worker-1');
  });

  it('--json: one object per event, u64 amounts as strings', () => {
    const objects = SCRIPT.map((e) => JSON.parse(jsonLine(e)));
    expect(objects[0]).toMatchObject({ event: 'worker-registered', nodeName: 'worker-1', stake: '10000000000' });
    expect(objects.map((o) => o.event)).toEqual(SCRIPT.map((e) => e.kind));
  });
});
