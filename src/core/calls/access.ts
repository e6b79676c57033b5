/** Move-call builders for `k3sdaas::access`. */
import type { Transaction } from '@mysten/sui/transactions';
import { ACCESS_FUNCTIONS } from '../abi/package.js';
import { callFunction, type CallOptions, type ObjectInput, type U64Input } from './arguments.js';

export interface StakeArguments {
  cluster: ObjectInput;
  /** A Coin<SUI>, e.g. `tx.splitCoins(tx.gas, [amount])[0]`. */
  payment: ObjectInput;
  /** The tenant namespace the sender claims (a DNS-1123 label; not `default`, `kube-*`, `k3sdaas-*`). */
  namespace: string;
  clock?: ObjectInput;
}

/** Stakes SUI for a tenant SealToken bound to `namespace` (claimed in the same call); the token goes to the sender. */
export function stake(options: CallOptions<StakeArguments>) {
  return (tx: Transaction) => callFunction(tx, ACCESS_FUNCTIONS.stake, options.package, options.arguments);
}

export interface StakeGrantedArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  payment: ObjectInput;
  /** 0 viewer, 1 editor, 2 admin (see ROLES). */
  role: number;
  clock?: ObjectInput;
}

/** The cap holder stakes for a SealToken of its own with a cluster role and no namespace (the operator's token). */
export function stakeGranted(options: CallOptions<StakeGrantedArguments>) {
  return (tx: Transaction) => callFunction(tx, ACCESS_FUNCTIONS.stake_granted, options.package, options.arguments);
}

export interface GrantArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  tokenId: string;
  /** 0 viewer, 1 editor, 2 admin (see ROLES). */
  role: number;
}

/** Gives a token a cluster role (effective for its next request). */
export function grant(options: CallOptions<GrantArguments>) {
  return (tx: Transaction) => callFunction(tx, ACCESS_FUNCTIONS.grant, options.package, options.arguments);
}

export interface RevokeArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  tokenId: string;
}

/** Takes a token's cluster role away; it stays a tenant of its namespace. */
export function revoke(options: CallOptions<RevokeArguments>) {
  return (tx: Transaction) => callFunction(tx, ACCESS_FUNCTIONS.revoke, options.package, options.arguments);
}

export interface ReserveNamespaceArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  namespace: string;
}

/** Keeps a namespace name from ever being claimed by a tenant. */
export function reserveNamespace(options: CallOptions<ReserveNamespaceArguments>) {
  return (tx: Transaction) => callFunction(tx, ACCESS_FUNCTIONS.reserve_namespace, options.package, options.arguments);
}

export interface TopupArguments {
  cluster: ObjectInput;
  tokenId: string;
  /** A Coin<SUI> added to the token's prepaid request fees. */
  payment: ObjectInput;
}

/** Adds to a token's prepaid request fees (anyone may pay). */
export function topup(options: CallOptions<TopupArguments>) {
  return (tx: Transaction) => callFunction(tx, ACCESS_FUNCTIONS.topup, options.package, options.arguments);
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
  /** At most the cluster's max_slash_bps of the token's stake. */
  amount: U64Input;
  /** SLASH_REASONS value. */
  reason: number;
}

/** Moves part of a token's stake to the cluster's treasury. */
export function slash(options: CallOptions<SlashArguments>) {
  return (tx: Transaction) => callFunction(tx, ACCESS_FUNCTIONS.slash, options.package, options.arguments);
}
