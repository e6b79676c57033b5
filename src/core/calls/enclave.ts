/** Move-call builders for `k3sdaas::enclave`. */
import type { Transaction } from '@mysten/sui/transactions';
import { ENCLAVE_FUNCTIONS } from '../abi/package.js';
import { callFunction, type CallOptions, type ObjectInput } from './arguments.js';

export interface RegisterDebugArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  /** The enclave's ed25519 public key (32 bytes). */
  publicKey: Uint8Array;
  /** Defaults to the system Clock (0x6). */
  clock?: ObjectInput;
}

/** Debug clusters only: sets the enclave key without attestation. */
export function registerDebug(options: CallOptions<RegisterDebugArguments>) {
  return (tx: Transaction) => callFunction(tx, ENCLAVE_FUNCTIONS.register_debug, options.package, options.arguments);
}

export interface RegisterAttestedArguments {
  /** The cluster's ClusterAdminCap (the operator's). */
  cap: ObjectInput;
  cluster: ObjectInput;
  /** The NitroAttestationDocument, e.g. the result of `0x2::nitro_attestation::load_nitro_attestation`. */
  document: ObjectInput;
  /** Defaults to the system Clock (0x6). */
  clock?: ObjectInput;
}

/**
 * Cap holder only: sets the enclave key from a verified Nitro attestation document (PCR0..2 = the cluster's, a
 * 32-byte `public_key`, `user_data` = the cluster's `ca_hash` when set, issued at most 5 minutes before the clock).
 */
export function registerAttested(options: CallOptions<RegisterAttestedArguments>) {
  return (tx: Transaction) => callFunction(tx, ENCLAVE_FUNCTIONS.register_attested, options.package, options.arguments);
}

export interface UpdatePcrsArguments {
  cap: ObjectInput;
  cluster: ObjectInput;
  /** PCR0, PCR1, PCR2 (48 bytes each) of the new enclave image; any on debug clusters. */
  expectedPcrs: Uint8Array[];
}

/** Replaces the expected PCRs; the registered enclave key is cleared, so a new attested registration is needed. */
export function updatePcrs(options: CallOptions<UpdatePcrsArguments>) {
  return (tx: Transaction) => callFunction(tx, ENCLAVE_FUNCTIONS.update_pcrs, options.package, options.arguments);
}
