import { K3sDaasError, type K3sDaasErrorOptions } from '../core/errors.js';

export type WorkerErrorCode =
  | 'WORKER_KEY_INVALID'
  | 'WORKER_KEY_MISMATCH'
  | 'WORKER_UNKNOWN_CLUSTER'
  | 'WORKER_NO_ENCLAVE'
  | 'WORKER_STAKE_TOO_LOW'
  | 'WORKER_BALANCE_TOO_LOW'
  | 'WORKER_NOT_REGISTERED'
  | 'WORKER_INACTIVE'
  | 'WORKER_UNBONDING'
  | 'WORKER_JOIN_TIMEOUT'
  | 'WORKER_JOIN_TOKEN_UNREADABLE'
  | 'WORKER_CA_MISMATCH'
  | 'WORKER_CA_UNAVAILABLE'
  | 'WORKER_K3S_NOT_FOUND'
  | 'WORKER_AGENT_FAILED';

/** A worker-side failure with a stable code; the message says what to do. */
export class WorkerError extends K3sDaasError {
  declare readonly code: WorkerErrorCode;
  constructor(code: WorkerErrorCode, message: string, options: K3sDaasErrorOptions = {}) {
    super(code, message, options);
  }
}
