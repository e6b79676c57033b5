export { createChainClient, type ChainClient } from './client.js';
export { TransactionExecutor, toChainError, type ExecutedTransaction } from './executor.js';
export { ChainFollower, type ChainFollowerOptions, type FollowStream } from './follower.js';
export { memoryCursorStore, fileCursorStore, type CursorStore } from './cursor-store.js';
export { objectContent, readCluster, findAdminCap, listSealTokens, NotFoundError } from './objects.js';
