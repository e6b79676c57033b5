/** Move-call builders for `k3sdaas::access`. */
import type { Transaction } from '@mysten/sui/transactions';
import { ACCESS_FUNCTIONS } from '../abi/package.js';
import { callFunction, type CallOptions, type ObjectInput, type U64Input } from './arguments.js';

export interface StakeArguments {
  cluster: ObjectInput;
  /** A Coin<SUI>, e.g. `tx.splitCoins(tx.gas, [amount])[0]`. */
  payment: ObjectInput;
  /** 0 viewer, 1 editor, 2 admin (see ROLES). */
  role: number;
  clock?: ObjectInput;
}

/** Stakes SUI for a SealToken with `role`; the token goes to the sender. */
export function stake(options: CallOptions<StakeArguments>) {
  return (tx: Transaction) => callFunction(tx, ACCESS_FUNCTIONS.stake, options.package, options.arguments);
}

export interface UnstakeArguments {
  cluster: ObjectInput;
  token: ObjectInput;
  clock?: ObjectInput;
}

export function unstake(options: CallOptions<UnstakeArguments>) {
  return (tx: Transaction) => callFunction(tx, ACCESS_FUNCTIONS.unstake, options.package, options.arguments);
}

export interface SlashArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  tokenId: string;
  amount: U64Input;
}

export function slash(options: CallOptions<SlashArguments>) {
  return (tx: Transaction) => callFunction(tx, ACCESS_FUNCTIONS.slash, options.package, options.arguments);
}
