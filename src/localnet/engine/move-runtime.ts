/**
 * The boundary between localnet's transaction engine and the TypeScript twin of the K3s-DaaS Move package
 * (src/localnet/package). The engine resolves a MoveCall's arguments, hands them to the twin function, and applies
 * what the twin did (created, mutated, deleted objects; dynamic fields; events) only if it returns without
 * aborting. Everything crosses as BCS bytes laid out exactly like the Move structs.
 */
import type { ObjectRef } from '../../core/abi/types.js';

export type ObjectOwner =
  | { $kind: 'AddressOwner'; AddressOwner: string }
  | { $kind: 'ObjectOwner'; ObjectOwner: string }
  | { $kind: 'Shared'; Shared: { initialSharedVersion: string } }
  | { $kind: 'Immutable'; Immutable: true };

/** An object argument as the twin sees it. `type` is fully qualified with the real package id. */
export interface ObjectArg {
  id: string;
  type: string;
  contents: Uint8Array;
  ref: ObjectRef;
}

/**
 * One resolved call argument. Pure arguments (and results of MakeMoveVec over pure values) arrive as the BCS
 * bytes of the parameter's Move type.
 */
export type CallArg = { kind: 'pure'; bytes: Uint8Array } | { kind: 'object'; object: ObjectArg };

/** New object owners the twin may create. Shared objects get their initial version from the engine. */
export type NewOwner = { $kind: 'AddressOwner'; address: string } | { $kind: 'Shared' };

export interface MoveRuntime {
  /** The K3s-DaaS package id (0x-prefixed, 64 hex digits). */
  readonly packageId: string;
  readonly sender: string;
  readonly txDigest: string;
  /** A fresh object id, derived like Sui's (blake2b256 of tx digest ‖ creation counter). */
  freshId(): string;
  /** Writes new contents for an object passed by `&mut` (or by value and kept). */
  mutate(id: string, contents: Uint8Array): void;
  /** Deletes an object passed by value (its UID is deleted). */
  delete(id: string): void;
  /** Creates an object whose id is the first 32 bytes of `contents`. `type` is fully qualified. */
  create(type: string, contents: Uint8Array, owner: NewOwner): void;
  /** Emits an event; `type` is the fully qualified struct type, `contents` its BCS. */
  emit(type: string, contents: Uint8Array): void;
  /** Dynamic fields under a parent UID (Table entries), keyed by the BCS bytes of the key. */
  dynamicField: {
    get(parent: string, key: Uint8Array): Uint8Array | undefined;
    set(parent: string, key: Uint8Array, value: Uint8Array, valueType: string): void;
    remove(parent: string, key: Uint8Array): void;
  };
}

/** One Move function of the twin. Aborts by throwing MoveAbortError. */
export type PackageFunction = (rt: MoveRuntime, args: CallArg[]) => void;

/** A Move abort, reported by the engine like Sui does: MoveAbort in `module::function` with `code`. */
export class MoveAbortError extends Error {
  readonly code = 'MOVE_ABORT';
  constructor(
    readonly module: string,
    readonly fn: string,
    readonly abortCode: number,
    readonly errorName?: string,
  ) {
    super(`MoveAbort in ${module}::${fn} with code ${abortCode}${errorName ? ` (${errorName})` : ''}`);
    this.name = 'MoveAbortError';
  }
}
