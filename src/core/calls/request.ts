/**
 * Move-call builders for `k3sdaas::request`. A body is passed whole and split into pure `vector<u8>` chunks
 * (`chunkBody`) combined with MakeMoveVec; the contract concatenates them.
 */
import type { Transaction } from '@mysten/sui/transactions';
import { REQUEST_FUNCTIONS } from '../abi/package.js';
import { callFunction, chunkBody, type CallOptions, type ObjectInput, type U64Input } from './arguments.js';

/** The request fields shared by `submit` and `submitViaGateway`. */
export interface RequestBodyArguments {
  method: string;
  path: string;
  /** sha256 of the plaintext request envelope (32 bytes). */
  bodyDigest: Uint8Array;
  /** Inline ciphertext (empty when the body travels off chain in `bodyBlob`). */
  body: Uint8Array;
  /** Declared body size; defaults to `body.length`. */
  bodySize?: U64Input;
  /** Blob id of an off-chain body; defaults to `''`. */
  bodyBlob?: string;
  /** X25519 public key (32 bytes) the response is encrypted to. */
  replyKey: Uint8Array;
  clock?: ObjectInput;
}

function withChunks<T extends { body: Uint8Array; bodySize?: U64Input; bodyBlob?: string }>(args: T) {
  return { ...args, body: chunkBody(args.body), bodySize: args.bodySize ?? args.body.length, bodyBlob: args.bodyBlob ?? '' };
}

export interface SubmitArguments extends RequestBodyArguments {
  cluster: ObjectInput;
  /** The sender's SealToken. */
  token: ObjectInput;
}

/** Submits a kubectl request directly with the sender's SealToken. */
export function submit(options: CallOptions<SubmitArguments>) {
  return (tx: Transaction) => callFunction(tx, REQUEST_FUNCTIONS.submit, options.package, withChunks(options.arguments));
}

export interface SubmitViaGatewayArguments extends RequestBodyArguments {
  cluster: ObjectInput;
  /** BCS bytes of the user's Credential. */
  credential: Uint8Array;
  /** The user's serialized Sui signature (97 bytes) over `credential`. */
  signature: Uint8Array;
}

/** Submits a kubectl request on behalf of a user (the sender is the gateway named in the credential). */
export function submitViaGateway(options: CallOptions<SubmitViaGatewayArguments>) {
  return (tx: Transaction) =>
    callFunction(tx, REQUEST_FUNCTIONS.submit_via_gateway, options.package, withChunks(options.arguments));
}

export interface RespondArguments {
  cluster: ObjectInput;
  request: ObjectInput;
  status: number;
  /** sha256 of the plaintext response envelope (32 bytes). */
  bodyDigest: Uint8Array;
  body: Uint8Array;
  bodySize?: U64Input;
  bodyBlob?: string;
  timestampMs: U64Input;
  /** Enclave ed25519 signature (64 bytes) over IntentMessage<ResponsePayload>. */
  signature: Uint8Array;
  clock?: ObjectInput;
}

/** Stores the enclave's signed response and deletes the Request. */
export function respond(options: CallOptions<RespondArguments>) {
  return (tx: Transaction) => callFunction(tx, REQUEST_FUNCTIONS.respond, options.package, withChunks(options.arguments));
}

export interface ExpireArguments {
  request: ObjectInput;
  clock?: ObjectInput;
}

/** Deletes a Request whose deadline has passed. */
export function expire(options: CallOptions<ExpireArguments>) {
  return (tx: Transaction) => callFunction(tx, REQUEST_FUNCTIONS.expire, options.package, options.arguments);
}
