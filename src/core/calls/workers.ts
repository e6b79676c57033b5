/** Move-call builders for `k3sdaas::workers`. */
import type { Transaction } from '@mysten/sui/transactions';
import { WORKERS_FUNCTIONS } from '../abi/package.js';
import { callFunction, type CallOptions, type ObjectInput, type U64Input } from './arguments.js';

export interface RegisterArguments {
  cluster: ObjectInput;
  /** A Coin<SUI> of at least `min_worker_stake`. */
  payment: ObjectInput;
  nodeName: string;
  /** X25519 public key (32 bytes) the join token is encrypted to. */
  encryptionKey: Uint8Array;
  clock?: ObjectInput;
}

export function register(options: CallOptions<RegisterArguments>) {
  return (tx: Transaction) => callFunction(tx, WORKERS_FUNCTIONS.register, options.package, options.arguments);
}

export interface SetJoinTokenArguments {
  cluster: ObjectInput;
  worker: ObjectInput;
  ciphertext: Uint8Array;
  timestampMs: U64Input;
  /** Enclave ed25519 signature (64 bytes) over IntentMessage<JoinTokenPayload>. */
  signature: Uint8Array;
  clock?: ObjectInput;
}

export function setJoinToken(options: CallOptions<SetJoinTokenArguments>) {
  return (tx: Transaction) => callFunction(tx, WORKERS_FUNCTIONS.set_join_token, options.package, options.arguments);
}

export interface HeartbeatArguments {
  worker: ObjectInput;
  clock?: ObjectInput;
}

export function heartbeat(options: CallOptions<HeartbeatArguments>) {
  return (tx: Transaction) => callFunction(tx, WORKERS_FUNCTIONS.heartbeat, options.package, options.arguments);
}

export interface MarkInactiveArguments {
  cluster: ObjectInput;
  worker: ObjectInput;
  clock?: ObjectInput;
}

export function markInactive(options: CallOptions<MarkInactiveArguments>) {
  return (tx: Transaction) => callFunction(tx, WORKERS_FUNCTIONS.mark_inactive, options.package, options.arguments);
}

export interface ApproveArguments {
  cap: ObjectInput;
  worker: ObjectInput;
}

/** The cap holder admits a worker (approval clusters); the enclave then issues its join token. */
export function approve(options: CallOptions<ApproveArguments>) {
  return (tx: Transaction) => callFunction(tx, WORKERS_FUNCTIONS.approve, options.package, options.arguments);
}

export interface LeaveArguments {
  cluster: ObjectInput;
  worker: ObjectInput;
  clock?: ObjectInput;
}

/** The owner leaves: the worker is inactive at once; its stake unbonds for the cluster's `unbonding_ms`. */
export function leave(options: CallOptions<LeaveArguments>) {
  return (tx: Transaction) => callFunction(tx, WORKERS_FUNCTIONS.leave, options.package, options.arguments);
}

export interface WithdrawArguments {
  worker: ObjectInput;
  clock?: ObjectInput;
}

/** After unbonding, returns the stake to the owner and deletes the Worker. */
export function withdraw(options: CallOptions<WithdrawArguments>) {
  return (tx: Transaction) => callFunction(tx, WORKERS_FUNCTIONS.withdraw, options.package, options.arguments);
}

export interface SlashArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  worker: ObjectInput;
  /** At most the cluster's max_slash_bps of the worker's stake. */
  amount: U64Input;
  /** SLASH_REASONS value. */
  reason: number;
}

export function slash(options: CallOptions<SlashArguments>) {
  return (tx: Transaction) => callFunction(tx, WORKERS_FUNCTIONS.slash, options.package, options.arguments);
}

/** After a package upgrade: moves a Worker made by an older version to this one. */
export function migrate(options: CallOptions<ApproveArguments>) {
  return (tx: Transaction) => callFunction(tx, WORKERS_FUNCTIONS.migrate, options.package, options.arguments);
}
