export { createChainClient, type ChainClient } from './client.js';
export { TransactionExecutor, toChainError, type ExecutedTransaction, type ExecuteOptions, type TransactionExecutorOptions } from './executor.js';
export { ChainFollower, type ChainFollowerOptions, type FollowStream, type FollowerTimers } from './follower.js';
export { memoryCursorStore, fileCursorStore, type CursorStore } from './cursor-store.js';
export { objectContent, readCluster, findAdminCap, listSealTokens, creationCheckpoint, NotFoundError } from './objects.js';
export { ObjectLocks } from './object-locks.js';
export { ObjectExistence } from './object-existence.js';
export { GasPool, type GasPoolOptions, type GasPoolHealth } from './gas-pool.js';
export type { StreamFilter } from './event-query.js';
