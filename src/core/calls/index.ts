/** Typed Move-call builders for every public function of the K3s-DaaS package, one namespace per Move module. */
export * as cluster from './cluster.js';
export * as enclave from './enclave.js';
export * as access from './access.js';
export * as request from './request.js';
export * as workers from './workers.js';
export * as session from './session.js';
export {
  argumentKey,
  callFunction,
  chunkBody,
  CHUNK_OVERHEAD,
  MAX_CHUNK_SIZE,
  type CallOptions,
  type ObjectInput,
  type U64Input,
} from './arguments.js';
