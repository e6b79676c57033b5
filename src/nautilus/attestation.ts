/**
 * Registering the enclave key through the contract's attestation path. Inside an AWS Nitro enclave the Nitro
 * Security Module (/dev/nsm) issues an attestation document (COSE_Sign1, signed by the AWS Nitro PKI) carrying the
 * enclave image's PCRs, the `public_key` we ask it to bind (the enclave's ed25519 key) and `user_data` (here the
 * sha256 of the k3s server CA, so workers and users can tie the CA they pin to this enclave). The NSM is reached by a
 * helper inside the enclave image, run as `--attestation-command`; it gets the key and user data in hex (environment
 * and `{public_key}` / `{user_data}` placeholders) and prints the document in base64 or hex.
 *
 * The document is verified on chain, in ONE programmable transaction:
 *   0: 0x2::nitro_attestation::load_nitro_attestation(document, clock)  → NitroAttestationDocument
 *   1: k3sdaas::enclave::register_attested(cap, cluster, &doc, clock)   → checks the cap, PCR0..2, public_key,
 *                                                                         user_data = the cluster's ca_hash (when
 *                                                                         set) and the document's age (<= 5 min)
 * `cap` is the operator's ClusterAdminCap for the cluster: only the operator can (re-)register the enclave key.
 */
import { execFile } from 'node:child_process';
import type { Transaction } from '@mysten/sui/transactions';
import { MAX_PURE_ARG } from '../core/abi/package.js';
import * as calls from '../core/calls/index.js';
import { findAdminCap, type TransactionExecutor } from '../core/chain/index.js';
import { K3sDaasError } from '../core/errors.js';

export const LOAD_NITRO_ATTESTATION = '0x2::nitro_attestation::load_nitro_attestation';

export class AttestationError extends K3sDaasError {
  constructor(code: 'ATTESTATION_FAILED' | 'ATTESTATION_MALFORMED' | 'ATTESTATION_REJECTED', message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

export interface AttestationRequest {
  /** The enclave's ed25519 public key (32 bytes): the document's `public_key`. */
  publicKey: Uint8Array;
  /** The document's `user_data`: sha256 of the k3s server CA (DER). */
  userData: Uint8Array;
}

/** Produces a raw attestation document (CBOR COSE_Sign1 bytes) binding the given key and user data. */
export interface AttestationProvider {
  readonly name: string;
  attest(request: AttestationRequest): Promise<Uint8Array>;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Parses a document printed as hex or base64 (whitespace ignored). */
export function parseAttestationDocument(text: string): Uint8Array {
  const t = text.replace(/\s+/g, '');
  if (!t) throw new AttestationError('ATTESTATION_MALFORMED', 'the attestation command printed nothing');
  let bytes: Uint8Array;
  if (/^(0x)?([0-9a-fA-F]{2})+$/.test(t)) bytes = new Uint8Array(Buffer.from(t.replace(/^0x/, ''), 'hex'));
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) bytes = new Uint8Array(Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64'));
  else throw new AttestationError('ATTESTATION_MALFORMED', 'the attestation document must be printed in hex or base64');
  // A COSE_Sign1 document is a CBOR array of 4 (0x84), optionally tagged 18 (0xd2).
  if (bytes[0] !== 0x84 && bytes[0] !== 0xd2) {
    throw new AttestationError('ATTESTATION_MALFORMED', 'the attestation document is not a CBOR COSE_Sign1 structure');
  }
  if (bytes.length + 3 > MAX_PURE_ARG) {
    throw new AttestationError('ATTESTATION_MALFORMED', `the attestation document (${bytes.length} bytes) exceeds a transaction argument (${MAX_PURE_ARG} bytes)`);
  }
  return bytes;
}

/**
 * Runs `command` with /bin/sh. `{public_key}` and `{user_data}` in it are replaced by hex; the same values are in
 * K3SDAAS_ATTEST_PUBLIC_KEY and K3SDAAS_ATTEST_USER_DATA. Its stdout is the document (hex or base64).
 */
export function commandAttestationProvider(command: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): AttestationProvider {
  return {
    name: `command \`${command}\``,
    attest: ({ publicKey, userData }) =>
      new Promise((resolve, reject) => {
        const line = command.replaceAll('{public_key}', hex(publicKey)).replaceAll('{user_data}', hex(userData));
        execFile(
          '/bin/sh',
          ['-c', line],
          {
            env: { ...process.env, ...options.env, K3SDAAS_ATTEST_PUBLIC_KEY: hex(publicKey), K3SDAAS_ATTEST_USER_DATA: hex(userData) },
            timeout: options.timeoutMs ?? 30_000,
            maxBuffer: 1024 * 1024,
          },
          (err, stdout, stderr) => {
            if (err) {
              const tail = String(stderr).trim().split('\n').slice(-3).join(' | ');
              reject(new AttestationError('ATTESTATION_FAILED', `attestation command failed (${err.killed ? 'timed out' : `exit ${err.code ?? '?'}`})${tail ? `: ${tail}` : ''}`, err));
              return;
            }
            try {
              resolve(parseAttestationDocument(String(stdout)));
            } catch (e) {
              reject(e);
            }
          },
        );
      }),
  };
}

/**
 * The one programmable transaction: load (and verify) the document, then register its key for the cluster with the
 * operator's ClusterAdminCap (`capId`).
 */
export function registerAttestedCall(o: { packageId: string; capId: string; clusterId: string; document: Uint8Array }) {
  return (tx: Transaction) => {
    const [doc] = tx.moveCall({ target: LOAD_NITRO_ATTESTATION, arguments: [tx.pure.vector('u8', o.document), tx.object.clock()] });
    tx.add(calls.enclave.registerAttested({ package: o.packageId, arguments: { cap: o.capId, cluster: o.clusterId, document: doc! } }));
  };
}

/**
 * Finds the executor's ClusterAdminCap for the cluster (NO_ADMIN_CAP without one, before asking for a document),
 * obtains a document from `provider` binding the key and `caHash` and registers the key with it; chain refusals
 * become ATTESTATION_REJECTED.
 */
export async function registerAttestedEnclave(o: {
  executor: TransactionExecutor;
  packageId: string;
  clusterId: string;
  publicKey: Uint8Array;
  caHash: Uint8Array;
  provider: AttestationProvider;
}): Promise<{ digest: string; document: Uint8Array }> {
  const cap = await findAdminCap(o.executor.client, o.executor.address, o.packageId, o.clusterId);
  const document = await o.provider.attest({ publicKey: o.publicKey, userData: o.caHash });
  try {
    const tx = await o.executor.execute(registerAttestedCall({ packageId: o.packageId, capId: cap.id, clusterId: o.clusterId, document }));
    return { digest: tx.digest, document };
  } catch (err) {
    const reason = (err as Error).message;
    const hint = /nitro_attestation.*not available|not available on localnet/i.test(reason)
      ? ' — this network cannot verify Nitro attestation documents (localnet cannot: use a debug cluster there)'
      : /EPcrMismatch/.test(reason)
        ? " — the enclave image's PCRs are not the cluster's expected PCRs"
        : /EUserDataMismatch/.test(reason)
          ? " — the document's user_data is not the cluster's ca_hash (the k3s CA changed? update the cluster's ca_hash)"
          : /EStaleAttestation/.test(reason)
            ? ' — the document is more than 5 minutes old (or ahead of the chain clock): request a fresh one'
            : /EWrongCap/.test(reason)
              ? " — the cap is not this cluster's ClusterAdminCap"
              : '';
    throw new AttestationError('ATTESTATION_REJECTED', `the chain refused the attestation document for cluster ${o.clusterId}: ${reason}${hint}`, err);
  }
}
