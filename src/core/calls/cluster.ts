/** Move-call builders for `k3sdaas::cluster`. */
import type { Transaction } from '@mysten/sui/transactions';
import { CLUSTER_FUNCTIONS } from '../abi/package.js';
import { callFunction, type CallOptions, type ObjectInput, type U64Input } from './arguments.js';

export interface CreateArguments {
  name: string;
  apiUrl: string;
  /** sha256 of the k3s server CA certificate (DER). */
  caHash: Uint8Array;
  minUserStake: U64Input;
  minWriteStake: U64Input;
  minWorkerStake: U64Input;
  stakeLockMs: U64Input;
  requestTimeoutMs: U64Input;
  heartbeatTimeoutMs: U64Input;
  /** MIST per read request (GET, HEAD); 0 for free. */
  readFee: U64Input;
  /** MIST per write request (POST, PUT, PATCH, DELETE); 0 for free. */
  writeFee: U64Input;
  /** WORKER_POLICIES: 0 approval (the cap approves each worker), 1 open. */
  workerPolicy: number;
  /** How long a leaving worker's stake stays slashable (at most 30 d). */
  unbondingMs: U64Input;
  /** The most one slash may take, in basis points of the stake (1..10 000); fixed for the cluster's life. */
  maxSlashBps: U64Input;
  debug: boolean;
  /** PCR0, PCR1, PCR2 (48 bytes each); empty for debug clusters. */
  expectedPcrs: Uint8Array[];
}

/** Shares a new Cluster and sends its ClusterAdminCap to the sender. */
export function create(options: CallOptions<CreateArguments>) {
  return (tx: Transaction) => callFunction(tx, CLUSTER_FUNCTIONS.create, options.package, options.arguments);
}

export interface UpdateArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  apiUrl: string;
  caHash: Uint8Array;
  minWriteStake: U64Input;
  requestTimeoutMs: U64Input;
}

export function update(options: CallOptions<UpdateArguments>) {
  return (tx: Transaction) => callFunction(tx, CLUSTER_FUNCTIONS.update, options.package, options.arguments);
}

export interface GatewayArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  /** The gateway's Sui address. */
  gateway: string;
}

export function registerGateway(options: CallOptions<GatewayArguments>) {
  return (tx: Transaction) => callFunction(tx, CLUSTER_FUNCTIONS.register_gateway, options.package, options.arguments);
}

export function removeGateway(options: CallOptions<GatewayArguments>) {
  return (tx: Transaction) => callFunction(tx, CLUSTER_FUNCTIONS.remove_gateway, options.package, options.arguments);
}

export interface SetFeesArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  readFee: U64Input;
  writeFee: U64Input;
}

/** Sets the fee per read and per write request (MIST; 0 allowed). */
export function setFees(options: CallOptions<SetFeesArguments>) {
  return (tx: Transaction) => callFunction(tx, CLUSTER_FUNCTIONS.set_fees, options.package, options.arguments);
}

export interface WithdrawRevenueArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
}

/** Sends the cluster's whole revenue (fees of answered requests) to the sender, the cap holder. */
export function withdrawRevenue(options: CallOptions<WithdrawRevenueArguments>) {
  return (tx: Transaction) => callFunction(tx, CLUSTER_FUNCTIONS.withdraw_revenue, options.package, options.arguments);
}

export interface SetWorkerPolicyArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  /** WORKER_POLICIES: 0 approval, 1 open. */
  workerPolicy: number;
}

export function setWorkerPolicy(options: CallOptions<SetWorkerPolicyArguments>) {
  return (tx: Transaction) => callFunction(tx, CLUSTER_FUNCTIONS.set_worker_policy, options.package, options.arguments);
}

export interface SetMaxSessionMsArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  /** 1 ms to MAX_SESSION_MS (1 day). */
  maxSessionMs: U64Input;
}

/** Sets the longest a streaming session may last; nautilus ends sessions granted afterwards by then. */
export function setMaxSessionMs(options: CallOptions<SetMaxSessionMsArguments>) {
  return (tx: Transaction) => callFunction(tx, CLUSTER_FUNCTIONS.set_max_session_ms, options.package, options.arguments);
}

/** Sends the cluster's whole treasury (slashed stakes) to the sender, the cap holder. */
export function withdrawTreasury(options: CallOptions<WithdrawRevenueArguments>) {
  return (tx: Transaction) => callFunction(tx, CLUSTER_FUNCTIONS.withdraw_treasury, options.package, options.arguments);
}

/** After a package upgrade: moves a Cluster made by an older version to this one. */
export function migrate(options: CallOptions<WithdrawRevenueArguments>) {
  return (tx: Transaction) => callFunction(tx, CLUSTER_FUNCTIONS.migrate, options.package, options.arguments);
}
