/**
 * Gateway credentials: a user lets one gateway act for one SealToken until `expiresMs` by signing the BCS bytes of
 * `credential::Credential` as a Sui personal message with an ed25519 key. `verifyCredential` mirrors the Move check
 * (`credential::verify`) off chain so a gateway can reject bad credentials before paying for a transaction.
 */
import type { Keypair } from '@mysten/sui/cryptography';
import { NativeEd25519PublicKey } from './crypto/keypair.js';
import { fromBase64, normalizeSuiAddress } from '@mysten/sui/utils';
import { bcsForStruct } from './abi/bcs.js';
import { CredentialError } from './errors.js';

export interface Credential {
  clusterId: string;
  /** The gateway's Sui address (the sender of `submit_via_gateway`). */
  gateway: string;
  tokenId: string;
  /** Valid until and including this time (ms): `credential::verify` aborts EExpired once `now > expiresMs`. */
  expiresMs: bigint;
}

export interface SignedCredential {
  /** BCS bytes of the Credential. */
  bytes: Uint8Array;
  /** Sui serialized signature: flag 0x00 ‖ ed25519 signature (64) ‖ public key (32). */
  signature: Uint8Array;
}

/** BCS size of a Credential: ID + address + ID + u64. */
export const CREDENTIAL_SIZE = 32 + 32 + 32 + 8;
/** Sui serialized ed25519 signature size. */
export const SERIALIZED_SIGNATURE_SIZE = 1 + 64 + 32;
const ED25519_FLAG = 0x00;
export const TOKEN_PREFIX = 'k3sdaas.v1.';

const schema = () => bcsForStruct('credential', 'Credential');

export function encodeCredential(credential: Credential): Uint8Array {
  return schema()
    .serialize({
      cluster_id: credential.clusterId,
      gateway: credential.gateway,
      token_id: credential.tokenId,
      expires_ms: BigInt(credential.expiresMs),
    })
    .toBytes();
}

/** Decodes credential bytes; anything but exactly one Credential is `CREDENTIAL_MALFORMED`. */
export function decodeCredential(bytes: Uint8Array): Credential {
  if (bytes.length !== CREDENTIAL_SIZE) {
    throw new CredentialError('CREDENTIAL_MALFORMED', `credential is ${bytes.length} bytes, expected ${CREDENTIAL_SIZE}`);
  }
  const v = schema().parse(bytes) as { cluster_id: string; gateway: string; token_id: string; expires_ms: string };
  return {
    clusterId: normalizeSuiAddress(v.cluster_id),
    gateway: normalizeSuiAddress(v.gateway),
    tokenId: normalizeSuiAddress(v.token_id),
    expiresMs: BigInt(v.expires_ms),
  };
}

/** Signs a credential with the user's ed25519 Sui key (as a personal message). */
export async function signCredential(keypair: Keypair, credential: Credential): Promise<SignedCredential> {
  if (keypair.getKeyScheme() !== 'ED25519') {
    throw new CredentialError('CREDENTIAL_UNSUPPORTED_SCHEME', `only ed25519 keys can sign credentials, not ${keypair.getKeyScheme()}`);
  }
  const bytes = encodeCredential(credential);
  const { signature } = await keypair.signPersonalMessage(bytes);
  return { bytes, signature: fromBase64(signature) };
}

/**
 * Checks a credential as `credential::verify` does: well-formed, an ed25519 serialized signature over the bytes as a
 * personal message, not expired at `nowMs` (`nowMs <= expiresMs`). Returns the credential and the signer's address; throws CredentialError.
 */
export async function verifyCredential(
  bytes: Uint8Array,
  signature: Uint8Array,
  nowMs: bigint | number,
): Promise<{ credential: Credential; signer: string }> {
  const credential = decodeCredential(bytes);
  // Same order as credential::verify: empty → invalid, flag → scheme, length → invalid, signature, expiry.
  if (signature.length === 0) throw new CredentialError('CREDENTIAL_INVALID_SIGNATURE', 'empty signature');
  if (signature[0] !== ED25519_FLAG) {
    throw new CredentialError('CREDENTIAL_UNSUPPORTED_SCHEME', 'only ed25519 signatures (flag 0x00) are accepted', {
      flag: signature[0],
    });
  }
  if (signature.length !== SERIALIZED_SIGNATURE_SIZE) {
    throw new CredentialError('CREDENTIAL_INVALID_SIGNATURE', `signature is ${signature.length} bytes, expected ${SERIALIZED_SIGNATURE_SIZE}`);
  }
  const signer = await credentialSigner(bytes, signature);
  if (BigInt(nowMs) > credential.expiresMs) {
    throw new CredentialError('CREDENTIAL_EXPIRED', `credential expired at ${credential.expiresMs} (now ${nowMs})`, {
      expiresMs: credential.expiresMs,
    });
  }
  return { credential, signer };
}

/**
 * Signatures already verified, by credential bytes ‖ signature → signer: kubectl presents one credential on every
 * request until it expires, so a gateway verifies each once (expiry is still checked on every use).
 */
const verified = new Map<string, string>();
const VERIFIED_MAX = 4_096;

async function credentialSigner(bytes: Uint8Array, signature: Uint8Array): Promise<string> {
  const key = Buffer.concat([bytes, signature]).toString('base64');
  const known = verified.get(key);
  if (known) return known;
  const publicKey = new NativeEd25519PublicKey(signature.subarray(65));
  let valid = false;
  try {
    valid = await publicKey.verifyPersonalMessage(bytes, signature.subarray(1, 65));
  } catch {
    valid = false;
  }
  if (!valid) throw new CredentialError('CREDENTIAL_INVALID_SIGNATURE', 'credential signature does not verify');
  const signer = publicKey.toSuiAddress();
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  verified.set(key, signer);
  return signer;
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

function fromB64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new CredentialError('CREDENTIAL_MALFORMED', 'token is not base64url');
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** The bearer-token form: `k3sdaas.v1.<base64url(bytes)>.<base64url(signature)>`. */
export function credentialToToken(signed: SignedCredential): string {
  return `${TOKEN_PREFIX}${b64url(signed.bytes)}.${b64url(signed.signature)}`;
}

/** Parses a bearer token back into credential bytes and signature (not verified: call verifyCredential). */
export function credentialFromToken(token: string): SignedCredential {
  if (!token.startsWith(TOKEN_PREFIX)) throw new CredentialError('CREDENTIAL_MALFORMED', `token does not start with ${TOKEN_PREFIX}`);
  const parts = token.slice(TOKEN_PREFIX.length).split('.');
  if (parts.length !== 2) throw new CredentialError('CREDENTIAL_MALFORMED', 'token must have two base64url parts');
  return { bytes: fromB64url(parts[0]), signature: fromB64url(parts[1]) };
}
