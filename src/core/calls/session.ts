/** Move-call builders for `k3sdaas::session` (the enclave's signed session reports). */
import type { Transaction } from '@mysten/sui/transactions';
import { SESSION_FUNCTIONS } from '../abi/package.js';
import { callFunction, type CallOptions, type ObjectInput, type U64Input } from './arguments.js';

export interface OpenSessionArguments {
  cluster: ObjectInput;
  requestId: string;
  requester: string;
  expiresMs: U64Input;
  timestampMs: U64Input;
  signature: Uint8Array;
  clock?: ObjectInput;
}

/** Records that the session of a streaming request opened (signed by the enclave). */
export function openSession(options: CallOptions<OpenSessionArguments>) {
  return (tx: Transaction) => callFunction(tx, SESSION_FUNCTIONS.open_session, options.package, options.arguments);
}

export interface RecordSessionArguments {
  cluster: ObjectInput;
  requestId: string;
  requester: string;
  openedMs: U64Input;
  closedMs: U64Input;
  bytesDown: U64Input;
  bytesUp: U64Input;
  frames: U64Input;
  hasExitCode: boolean;
  exitCode: number;
  /** Index into SESSION_REASONS. */
  reason: number;
  /** The transcript hash chain's final value (32 bytes). */
  transcriptDigest: Uint8Array;
  timestampMs: U64Input;
  signature: Uint8Array;
  clock?: ObjectInput;
}

/** Records what flowed in a session (signed by the enclave): when it ends, or periodically. */
export function recordSession(options: CallOptions<RecordSessionArguments>) {
  return (tx: Transaction) => callFunction(tx, SESSION_FUNCTIONS.record_session, options.package, options.arguments);
}
