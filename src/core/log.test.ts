import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

describe('logger', () => {
  it('writes one JSON line per record with inherited fields, filtered by level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', write: (l) => lines.push(l) }).child({ component: 'gateway' });
    log.debug('hidden');
    log.info('request submitted', { request: '0xabc', size: 10n, body: new Uint8Array(5) });
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]);
    expect(rec).toMatchObject({ level: 'info', msg: 'request submitted', component: 'gateway', request: '0xabc', size: '10', body: '<5 bytes>' });
  });
});
