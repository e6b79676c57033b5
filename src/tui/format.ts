/** Short, fixed-width renderings of chain values for the TUI and the plain output. */
import type { RequestState, WorkerStatus } from './lifecycle.js';

const MIST_PER_SUI = 1_000_000_000n;

/** `0x1234…cdef` for long ids and digests; short values unchanged. */
export function shortId(id: string | null | undefined, keep = 4): string {
  if (!id) return '-';
  const hex = id.startsWith('0x');
  const body = hex ? id.slice(2) : id;
  if (body.length <= keep * 2 + 1) return id;
  return `${hex ? '0x' : ''}${body.slice(0, keep)}…${body.slice(-keep)}`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** How long ago, coarse: `5s ago`, `3m ago`, `2h ago`. */
export function ago(thenMs: number | null | undefined, nowMs: number): string {
  if (!thenMs) return '-';
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

export function sui(mist: bigint): string {
  const whole = mist / MIST_PER_SUI;
  const frac = mist % MIST_PER_SUI;
  if (frac === 0n) return `${whole} SUI`;
  return `${whole}.${frac.toString().padStart(9, '0').replace(/0+$/, '')} SUI`;
}

/** By role value; 3 is ROLE_TENANT (no cluster role). */
export const ROLE_NAMES = ['viewer', 'editor', 'admin', 'tenant'];
export const roleName = (role: number | null | undefined) => (role === null || role === undefined ? '-' : (ROLE_NAMES[role] ?? `role ${role}`));

export const STATE_LABELS: Record<RequestState, string> = {
  authorized: 'authorized',
  'picked-up': 'picked up',
  stored: 'stored',
  delivered: 'delivered',
  rejected: 'rejected',
  expired: 'expired',
};

export const STATE_COLORS: Record<RequestState, string> = {
  authorized: 'yellow',
  'picked-up': 'cyan',
  stored: 'green',
  delivered: 'green',
  rejected: 'red',
  expired: 'magenta',
};

export const WORKER_COLORS: Record<WorkerStatus, string> = { joining: 'yellow', active: 'green', inactive: 'red', left: 'gray' };

/** Pads or truncates to exactly `width` characters. */
export function cell(text: string, width: number): string {
  if (text.length > width) return width > 1 ? text.slice(0, width - 1) + '…' : text.slice(0, width);
  return text.padEnd(width);
}
