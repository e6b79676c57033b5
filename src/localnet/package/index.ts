/**
 * localnet's TypeScript twin of the K3s-DaaS Move package (move/sources): every public function of
 * src/core/abi/package.ts FUNCTIONS, keyed `module::function`, with the same arguments, aborts (module, function,
 * code), events and object layouts.
 */
import type { PackageFunction } from '../engine/move-runtime.js';
import { ACCESS_TWIN } from './access.js';
import { CLUSTER_TWIN } from './cluster.js';
import { ENCLAVE_TWIN } from './enclave.js';
import { REQUEST_TWIN } from './request.js';
import { WORKERS_TWIN } from './workers.js';
import { SESSION_TWIN } from './session.js';

export const K3SDAAS_FUNCTIONS: Record<string, PackageFunction> = {
  ...CLUSTER_TWIN,
  ...ENCLAVE_TWIN,
  ...ACCESS_TWIN,
  ...REQUEST_TWIN,
  ...WORKERS_TWIN,
  ...SESSION_TWIN,
};

export { intentMessageBytes, verify as verifyEnclaveSignature } from './enclave.js';
export { ed25519Address, personalMessageDigest } from './credential.js';
