/** Errors of the execution engine: rejections (nothing happens, reported as a gRPC error) and execution failures. */

/** The transaction is refused before execution: no gas is charged, nothing changes. */
export class TxRejected extends Error {
  readonly code = 'TX_REJECTED';
  constructor(
    /** gRPC status to report (3 INVALID_ARGUMENT, 5 NOT_FOUND, 6 ALREADY_EXISTS, 9 FAILED_PRECONDITION). */
    readonly grpcStatus: number,
    message: string,
  ) {
    super(message);
    this.name = 'TxRejected';
  }
}

/** Execution failed: gas is charged, every other change is reverted, effects report the failure. */
export class ExecFailure extends Error {
  readonly code = 'EXEC_FAILURE';
  constructor(
    /** Name of sui.rpc.v2.ExecutionError.ExecutionErrorKind, e.g. `MOVE_ABORT`. */
    readonly kind: string,
    message: string,
    readonly details: {
      command?: number;
      abort?: { packageId: string; module: string; function: string; code: bigint; errorName?: string };
      size?: { size: bigint; maxSize: bigint };
    } = {},
  ) {
    super(message);
    this.name = 'ExecFailure';
  }
}
