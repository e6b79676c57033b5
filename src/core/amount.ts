/**
 * SUI amounts as users type and read them: `1.5SUI`, `1.5 sui`, `0.1 SUI`, or a plain integer of MIST
 * (`1500000000`, `1500000000MIST`). Parsed to bigint MIST exactly (no floating point); always printed with a unit.
 */
import { MIST_PER_SUI } from './cluster-admin.js';
import { K3sDaasError } from './errors.js';

export { MIST_PER_SUI };
const DECIMALS = 9;

export class AmountError extends K3sDaasError {
  constructor(message: string, input: string) {
    super('AMOUNT_INVALID', message, { data: { input } });
  }
}

/** Parses `<n>SUI` (up to 9 decimals) or `<n>[MIST]` (an integer) into MIST. Zero and negatives are rejected. */
export function parseAmount(input: string): bigint {
  const text = input.trim();
  const m = /^(\d+(?:\.\d*)?|\.\d+)\s*(sui|mist)?$/i.exec(text.replace(/_/g, ''));
  if (!m) {
    throw new AmountError(`invalid amount '${input}': use e.g. 1.5SUI or an integer number of MIST (1500000000)`, input);
  }
  const [, number, unit] = m;
  let mist: bigint;
  if (!unit || unit.toLowerCase() === 'mist') {
    if (number.includes('.')) throw new AmountError(`invalid amount '${input}': MIST is an integer (did you mean ${number}SUI?)`, input);
    mist = BigInt(number);
  } else {
    const [whole, frac = ''] = number.split('.');
    if (frac.length > DECIMALS) throw new AmountError(`invalid amount '${input}': SUI has at most ${DECIMALS} decimals`, input);
    mist = BigInt(whole || '0') * MIST_PER_SUI + BigInt(frac.padEnd(DECIMALS, '0') || '0');
  }
  if (mist <= 0n) throw new AmountError(`invalid amount '${input}': must be more than zero`, input);
  if (mist >= 1n << 64n) throw new AmountError(`invalid amount '${input}': too large`, input);
  return mist;
}

/** `1500000000n` → `1.5 SUI`; `1n` → `0.000000001 SUI`; `0n` → `0 SUI`. */
export function formatAmount(mist: bigint): string {
  const negative = mist < 0n;
  const abs = negative ? -mist : mist;
  const whole = abs / MIST_PER_SUI;
  const frac = (abs % MIST_PER_SUI).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? '.' + frac : ''} SUI`;
}

/** `1.5 SUI (1500000000 MIST)`: for errors where the exact figure matters. */
export function formatAmountExact(mist: bigint): string {
  return `${formatAmount(mist)} (${mist} MIST)`;
}
