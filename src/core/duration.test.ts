import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { durationOption } from '../cli/duration-flag.js';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('parse with units to milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5s')).toBe(1_500);
  });

  it('refuse a bare number, naming the flag and the units', () => {
    expect(() => parseDuration('60000', { name: '--stake-lock' })).toThrow(
      '--stake-lock: "60000" has no unit; write a duration with one of ms, s, m, h, d (e.g. 30s, 10m, 7d, 250ms)',
    );
    expect(() => parseDuration('10 minutes', { name: '--ttl' })).toThrow('--ttl: not a duration: "10 minutes"');
    expect(() => parseDuration('0s', { name: '--ttl' })).toThrow('--ttl: duration must be more than 0');
    expect(() => parseDuration('')).toThrow('not a duration');
  });

  it('accept a bare number only where its unit is documented', () => {
    expect(parseDuration('250', { bare: 'ms' })).toBe(250);
    expect(parseDuration('0', { bare: 'ms', allowZero: true })).toBe(0);
    expect(parseDuration('2s', { bare: 'ms' })).toBe(2_000);
  });

  it('format back in the syntax they parse', () => {
    for (const ms of [250, 30_000, 60_000, 90_000, 604_800_000, 5_400_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
    expect(formatDuration(60_000)).toBe('1m');
    expect(formatDuration(90_000)).toBe('1m30s');
  });

  it('a duration flag shows its default in --help the way it parses, and refuses `--stake-lock 60000`', () => {
    const cmd = new Command('deploy').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    cmd.addOption(durationOption('--stake-lock <duration>', 'SealToken stake lock', 60_000)).action(() => undefined);
    expect(cmd.helpInformation()).toContain('SealToken stake lock (default: 1m)');
    expect(cmd.parse(['--stake-lock', '7d'], { from: 'user' }).opts().stakeLock).toBe(604_800_000);
    expect(() => cmd.parse(['--stake-lock', '60000'], { from: 'user' })).toThrow(
      `option '--stake-lock <duration>' argument '60000' is invalid. --stake-lock: "60000" has no unit`,
    );
  });
});
