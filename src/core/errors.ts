/**
 * The k3sdaas error hierarchy: one base class with a stable string `code`, a `retryable` flag and the data needed to
 * act on the failure. Subclasses name the hop that failed. Only `bin`/`cli` turn these into exit codes.
 */
import { errorName } from './abi/package.js';

export interface K3sDaasErrorOptions {
  retryable?: boolean;
  data?: Record<string, unknown>;
  cause?: unknown;
}

export class K3sDaasError extends Error {
  /** Stable, machine-readable code (e.g. `MOVE_ABORT`, `CREDENTIAL_EXPIRED`). */
  readonly code: string;
  /** Whether retrying the same operation later may succeed. */
  readonly retryable: boolean;
  readonly data: Record<string, unknown>;

  constructor(code: string, message: string, options: K3sDaasErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.data = options.data ?? {};
  }
}

/** A value does not fit the ABI (wrong type, too large for a pure argument, unknown struct). */
export class AbiError extends K3sDaasError {
  constructor(message: string, data: Record<string, unknown> = {}, cause?: unknown) {
    super('ABI_ERROR', message, { data, cause });
  }
}

/** The chain (RPC or execution) failed. Transport failures are retryable; execution failures are not. */
export class ChainError extends K3sDaasError {
  constructor(code: string, message: string, options: K3sDaasErrorOptions = {}) {
    super(code, message, options);
  }
}

/** The shape of the SDK's `SuiClientTypes.MoveAbort` this error is built from. */
export interface MoveAbortLike {
  abortCode: string | number | bigint;
  location?: { package?: string; module?: string; functionName?: string };
}

/** A K3s-DaaS Move function aborted; `abortName` is the ABI error name (e.g. `EBodyTooLarge`) when known. */
export class MoveAbortError extends ChainError {
  readonly module: string;
  readonly abortCode: bigint;
  readonly abortName: string | undefined;
  readonly functionName: string | undefined;

  constructor(module: string, abortCode: number | bigint | string, functionName?: string, cause?: unknown) {
    const code = BigInt(abortCode);
    const name = errorName(module, code);
    const where = functionName ? `${module}::${functionName}` : module;
    super('MOVE_ABORT', `${where} aborted with ${name ?? 'unknown code'} (${code})`, {
      data: { module, abortCode: code, abortName: name, functionName },
      cause,
    });
    this.module = module;
    this.abortCode = code;
    this.abortName = name;
    this.functionName = functionName;
  }

  /** From the SDK's `effects.status.error.MoveAbort`. */
  static from(abort: MoveAbortLike, cause?: unknown): MoveAbortError {
    return new MoveAbortError(abort.location?.module ?? '', abort.abortCode, abort.location?.functionName, cause);
  }
}

export type CredentialErrorCode =
  | 'CREDENTIAL_MALFORMED'
  | 'CREDENTIAL_UNSUPPORTED_SCHEME'
  | 'CREDENTIAL_INVALID_SIGNATURE'
  | 'CREDENTIAL_EXPIRED';

/** A gateway credential was rejected off chain (mirrors `credential::E*`). */
export class CredentialError extends K3sDaasError {
  declare readonly code: CredentialErrorCode;

  constructor(code: CredentialErrorCode, message: string, data: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { data, cause });
  }
}

const TRANSPORT_FAILURE =
  /fetch failed|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|ETIMEDOUT|socket hang up|UND_ERR_CONNECT|UND_ERR_SOCKET|other side closed/i;

/**
 * The transport failure (connection refused, reset, DNS, `fetch failed`…) somewhere in an error's cause chain, as
 * the most specific message found, or undefined when the failure is not a transport one. SDK errors wrap the
 * network error (`SimulationError` → `TypeError: fetch failed` → `Error: connect ECONNREFUSED`), so the chain is
 * walked.
 */
export function transportFailure(err: unknown): string | undefined {
  let found: string | undefined;
  let e: unknown = err;
  for (let depth = 0; e && depth < 6; depth++) {
    const x = e as { message?: unknown; code?: unknown; cause?: unknown };
    const text = `${typeof x.code === 'string' ? x.code + ' ' : ''}${typeof x.message === 'string' ? x.message : ''}`;
    if (TRANSPORT_FAILURE.test(text) && typeof x.message === 'string') found = x.message;
    e = x.cause;
  }
  return found;
}

/** Words for a write whose outcome nobody knows (it may have been executed), appended to the message kubectl shows. */
export const MAY_HAVE_BEEN_APPLIED = 'the change may have been applied; check before retrying';

export function isWriteMethod(method: string): boolean {
  const m = method.toUpperCase();
  return m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS';
}
