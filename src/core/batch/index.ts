export { Batcher, type BatchLimits, type BatcherOptions } from './batcher.js';
export { bisect, type BisectOptions } from './bisect.js';
export { fulfilled, rejected, type Settled } from './settled.js';
export {
  CALL_OVERHEAD_BYTES,
  DEFAULT_CALL_LIMITS,
  SUI_TRANSACTION_LIMITS,
  TransactionBatcher,
  callMayBeAtFault,
  perTransaction,
  type TransactionBatcherOptions,
} from './transaction-batcher.js';
