/**
 * Commander options that take a duration (src/core/duration.ts): parsed to milliseconds, refused with a message
 * naming the flag and the units, and `--help` shows the default in the syntax the flag parses (`default: 1m`).
 */
import { InvalidArgumentError, Option } from 'commander';
import { formatDuration, parseDuration, type ParseDurationOptions } from '../core/duration.js';

/** A commander argument parser for a duration flag (ms). */
export function durationArg(flag: string, o: Omit<ParseDurationOptions, 'name'> = {}): (v: string) => number {
  return (v: string) => {
    try {
      return parseDuration(v, { ...o, name: flag });
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

/** `--name <duration>` in ms, with its default shown as a duration in --help. */
export function durationOption(flags: string, description: string, defaultMs?: number, o: Omit<ParseDurationOptions, 'name'> = {}): Option {
  const option = new Option(flags, description);
  option.argParser(durationArg(option.long ?? flags, o));
  if (defaultMs !== undefined) option.default(defaultMs, o.bare === 'ms' ? String(defaultMs) : formatDuration(defaultMs));
  return option;
}
