/**
 * The programmable-transaction interpreter: SplitCoins, MergeCoins, TransferObjects, MakeMoveVec and MoveCall
 * (a few `0x2::coin` / `0x2::pay` / `0x2::transfer` functions, and the K3s-DaaS package through its TypeScript
 * twin). It works on an Overlay; any ExecFailure makes the executor discard it.
 */
import type { bcs } from '@mysten/sui/bcs';
import { toHex } from '@mysten/sui/utils';
import type { FunctionAbi, MoveType } from '../../core/abi/types.js';
import { MoveAbortError, type CallArg, type MoveRuntime, type ObjectOwner, type PackageFunction } from '../engine/move-runtime.js';
import { ExecFailure } from './errors.js';
import {
  addr,
  addrBytes,
  addrFromBytes,
  blake2b256,
  CLOCK_ID,
  coinContents,
  coinValue,
  deriveObjectId,
  hasPublicTransfer,
  isCoinType,
  normalizeType,
  readU64le,
  u64le,
} from './ids.js';
import type { Overlay } from './overlay.js';
import { checkPure, splitVector, vectorBytes } from './pure.js';
import type { EventRecord, StoredObject } from './types.js';

export type Command = typeof bcs.Command.$inferType;
export type Argument = typeof bcs.Argument.$inferType;

export const LIMITS = {
  maxPureArgBytes: 16 * 1024,
  maxTxBytes: 128 * 1024,
  maxEventBytes: 250 * 1024,
  maxObjectBytes: 250 * 1024,
  maxCommands: 1024,
  maxInputs: 2048,
  maxGasObjects: 256,
} as const;

export type Val = { t: 'obj'; id: string } | { t: 'pure'; bytes: Uint8Array } | { t: 'vec'; items: Val[] };
/** How the transaction may use an object. */
export type Access = 'owned' | 'sharedMut' | 'sharedImm' | 'immutable' | 'created';

export interface PackageContext {
  /** The ORIGINAL package id: every type (objects, events) is named with it, across upgrades. */
  packageId: string;
  /** Ids of later versions (package upgrades): calls may target any of them, and run the same twin. */
  upgrades?: string[];
  functions: Record<string, PackageFunction>;
  abi: readonly FunctionAbi[];
}

export interface InterpretEnv {
  overlay: Overlay;
  sender: string;
  digest: string;
  timestampMs: bigint;
  pkg: PackageContext;
  /** One per transaction input; undefined once moved. */
  inputs: Array<Val | undefined>;
  access: Map<string, Access>;
  gasId?: string;
  /** Counter for fresh object ids (shared with the executor). */
  ids: { next: number };
}

const SUI_FRAMEWORK = addr('0x2');
const MOVE_STDLIB = addr('0x1');
const ZERO = addr('0x0');

export class Interpreter {
  readonly events: EventRecord[] = [];
  /** Values created by SplitCoins / coin::split that must be transferred or consumed before the end. */
  readonly #limbo = new Set<string>();
  readonly #results: Array<Array<Val | undefined>> = [];
  #command = 0;

  constructor(readonly env: InterpretEnv) {}

  run(commands: readonly Command[]): void {
    commands.forEach((cmd, i) => {
      this.#command = i;
      this.#results.push(this.#exec(cmd));
    });
    if (this.#limbo.size > 0) {
      throw this.#fail('UNUSED_VALUE_WITHOUT_DROP', `unused value without drop: ${[...this.#limbo].join(', ')} must be transferred or merged`);
    }
  }

  #fail(kind: string, message: string, extra: ConstructorParameters<typeof ExecFailure>[2] = {}): ExecFailure {
    return new ExecFailure(kind, `${message} in command ${this.#command}`, { command: this.#command, ...extra });
  }

  // === Arguments ===

  #slot(arg: Argument): { get: () => Val | undefined; clear: () => void } {
    const { env } = this;
    switch (arg.$kind) {
      case 'GasCoin':
        if (!env.gasId) throw this.#fail('COMMAND_ARGUMENT_ERROR', 'GasCoin used without gas payment');
        return { get: () => ({ t: 'obj', id: env.gasId! }), clear: () => {} };
      case 'Input': {
        const i = arg.Input;
        if (i >= env.inputs.length) throw this.#fail('COMMAND_ARGUMENT_ERROR', `input ${i} out of bounds`);
        return {
          get: () => env.inputs[i],
          clear: () => {
            if (env.inputs[i]?.t !== 'pure') env.inputs[i] = undefined;
          },
        };
      }
      case 'Result':
      case 'NestedResult': {
        const [c, j] = arg.$kind === 'Result' ? [arg.Result, undefined] : arg.NestedResult;
        const res = this.#results[c];
        if (!res) throw this.#fail('COMMAND_ARGUMENT_ERROR', `result ${c} is not available yet`);
        const idx = j ?? 0;
        if (j === undefined && res.length !== 1) throw this.#fail('COMMAND_ARGUMENT_ERROR', `result ${c} has ${res.length} values; use NestedResult`);
        if (idx >= res.length) throw this.#fail('COMMAND_ARGUMENT_ERROR', `nested result ${c}.${idx} out of bounds`);
        return {
          get: () => res[idx],
          clear: () => {
            if (res[idx]?.t !== 'pure') res[idx] = undefined;
          },
        };
      }
      default:
        throw this.#fail('COMMAND_ARGUMENT_ERROR', 'unknown argument kind');
    }
  }

  /** Borrows a value (by reference). */
  #borrow(arg: Argument): Val {
    const v = this.#slot(arg).get();
    if (!v) throw this.#fail('COMMAND_ARGUMENT_ERROR', `argument ${describe(arg)} was already moved`);
    return v;
  }

  /** Takes a value (by value): objects are moved out of their slot. */
  #take(arg: Argument): Val {
    const slot = this.#slot(arg);
    const v = slot.get();
    if (!v) throw this.#fail('COMMAND_ARGUMENT_ERROR', `argument ${describe(arg)} was already moved`);
    if (arg.$kind === 'GasCoin') throw this.#fail('COMMAND_ARGUMENT_ERROR', 'the gas coin can only be taken by value in TransferObjects');
    slot.clear();
    return v;
  }

  #pure(arg: Argument, what: string): Uint8Array {
    const v = this.#borrow(arg);
    if (v.t !== 'pure') throw this.#fail('COMMAND_ARGUMENT_ERROR', `${what} must be a pure value`);
    return v.bytes;
  }

  #u64(arg: Argument, what: string): bigint {
    const b = this.#pure(arg, what);
    if (b.length !== 8) throw this.#fail('COMMAND_ARGUMENT_ERROR', `${what} must be a u64 (8 bytes), got ${b.length}`);
    return readU64le(b);
  }

  #address(arg: Argument, what: string): string {
    const b = this.#pure(arg, what);
    if (b.length !== 32) throw this.#fail('COMMAND_ARGUMENT_ERROR', `${what} must be an address (32 bytes)`);
    return addrFromBytes(b);
  }

  #object(v: Val, what: string): StoredObject {
    if (v.t !== 'obj') throw this.#fail('COMMAND_ARGUMENT_ERROR', `${what} must be an object`);
    const o = this.env.overlay.get(v.id);
    if (!o) throw this.#fail('INPUT_OBJECT_DELETED', `${what} ${v.id} no longer exists`);
    return o;
  }

  #checkAccess(id: string, use: '&' | '&mut' | 'value', what: string): void {
    const access = this.env.access.get(id) ?? 'created';
    if (use === '&') return;
    if (access === 'immutable') throw this.#fail('COMMAND_ARGUMENT_ERROR', `${what} ${id} is immutable`);
    if (access === 'sharedImm') throw this.#fail('COMMAND_ARGUMENT_ERROR', `${what} ${id} is a shared object passed as immutable (&); it cannot be used as ${use}`);
    if (use === 'value' && access === 'sharedMut' && !this.#twinByValue) {
      throw this.#fail('COMMAND_ARGUMENT_ERROR', `${what} ${id} is shared and cannot be taken by value here`);
    }
  }
  #twinByValue = false;

  #coin(arg: Argument, use: '&' | '&mut' | 'value', what: string): StoredObject {
    const v = use === 'value' ? this.#take(arg) : this.#borrow(arg);
    const o = this.#object(v, what);
    if (!isCoinType(o.type)) throw this.#fail('COMMAND_ARGUMENT_ERROR', `${what} ${o.id} is not a coin (${o.type})`);
    this.#checkAccess(o.id, use, what);
    return o;
  }

  #newCoin(type: string, value: bigint): Val {
    const id = deriveObjectId(this.env.digest, this.env.ids.next++);
    this.env.overlay.put(this.#fresh(id, type, coinContents(id, value), { $kind: 'AddressOwner', AddressOwner: this.env.sender }));
    this.env.access.set(id, 'created');
    this.#limbo.add(id);
    return { t: 'obj', id };
  }

  #fresh(id: string, type: string, contents: Uint8Array, owner: ObjectOwner): StoredObject {
    return { id, version: 0n, digest: '', owner, type, contents, previousTransaction: this.env.digest, storageRebate: 0n, isMoveObject: true };
  }

  #setCoin(o: StoredObject, value: bigint): void {
    this.env.overlay.put({ ...o, contents: coinContents(o.id, value) });
  }

  #split(coin: StoredObject, amounts: bigint[]): Val[] {
    let balance = coinValue(coin.contents);
    const total = amounts.reduce((a, b) => a + b, 0n);
    if (total > balance) {
      throw this.#fail('INSUFFICIENT_COIN_BALANCE', `insufficient coin balance: ${coin.id} holds ${balance}, split needs ${total}`);
    }
    balance -= total;
    this.#setCoin(coin, balance);
    return amounts.map((a) => this.#newCoin(coin.type, a));
  }

  #merge(dest: StoredObject, sources: StoredObject[]): void {
    let total = coinValue(dest.contents);
    for (const s of sources) {
      if (s.id === dest.id) throw this.#fail('COMMAND_ARGUMENT_ERROR', `cannot merge coin ${s.id} into itself`);
      if (s.type !== dest.type) throw this.#fail('COMMAND_ARGUMENT_ERROR', `coin types differ: ${s.type} vs ${dest.type}`);
      total += coinValue(s.contents);
      this.#destroy(s.id);
    }
    if (total >= 2n ** 64n) throw this.#fail('COIN_BALANCE_OVERFLOW', 'coin balance overflow');
    this.#setCoin(this.env.overlay.get(dest.id)!, total);
  }

  #destroy(id: string): void {
    this.#limbo.delete(id);
    this.env.overlay.delete(id);
  }

  #transfer(v: Val, recipient: string, what: string): void {
    const o = this.#object(v, what);
    if (o.owner.$kind === 'Shared' || this.env.access.get(o.id) === 'sharedMut' || this.env.access.get(o.id) === 'sharedImm') {
      throw this.#fail('INVALID_TRANSFER_OBJECT', `${what} ${o.id} is shared and cannot be transferred`);
    }
    if (this.env.access.get(o.id) === 'immutable') throw this.#fail('INVALID_TRANSFER_OBJECT', `${what} ${o.id} is immutable`);
    if (!hasPublicTransfer(o.type)) {
      throw this.#fail('INVALID_TRANSFER_OBJECT', `${what} ${o.id} of type ${o.type} has no 'store' ability and cannot be transferred`);
    }
    this.#limbo.delete(o.id);
    this.env.overlay.put({ ...o, owner: { $kind: 'AddressOwner', AddressOwner: recipient } });
  }

  // === Commands ===

  #exec(cmd: Command): Val[] {
    switch (cmd.$kind) {
      case 'SplitCoins': {
        const coin = this.#coin(cmd.SplitCoins.coin, '&mut', 'SplitCoins coin');
        const amounts = cmd.SplitCoins.amounts.map((a) => this.#u64(a, 'SplitCoins amount'));
        return this.#split(coin, amounts);
      }
      case 'MergeCoins': {
        const dest = this.#coin(cmd.MergeCoins.destination, '&mut', 'MergeCoins destination');
        const sources = cmd.MergeCoins.sources.map((s) => this.#coin(s, 'value', 'MergeCoins source'));
        this.#merge(dest, sources);
        return [];
      }
      case 'TransferObjects': {
        const recipient = this.#address(cmd.TransferObjects.address, 'TransferObjects address');
        for (const a of cmd.TransferObjects.objects) {
          const slot = this.#slot(a);
          const v = slot.get();
          if (!v) throw this.#fail('COMMAND_ARGUMENT_ERROR', `argument ${describe(a)} was already moved`);
          slot.clear();
          const items = v.t === 'vec' ? v.items : [v];
          for (const item of items) this.#transfer(item, recipient, 'TransferObjects object');
        }
        return [];
      }
      case 'MakeMoveVec': {
        const elems = cmd.MakeMoveVec.elements.map((e) => {
          const v = this.#borrow(e);
          return v.t === 'pure' ? v : this.#take(e);
        });
        if (elems.length === 0 && !cmd.MakeMoveVec.type) throw this.#fail('COMMAND_ARGUMENT_ERROR', 'MakeMoveVec of no elements needs a type');
        if (elems.every((e) => e.t === 'pure')) return [{ t: 'pure', bytes: vectorBytes(elems.map((e) => (e as { bytes: Uint8Array }).bytes)) }];
        if (elems.some((e) => e.t === 'pure')) throw this.#fail('COMMAND_ARGUMENT_ERROR', 'MakeMoveVec mixes objects and pure values');
        return [{ t: 'vec', items: elems }];
      }
      case 'MoveCall':
        return this.#moveCall(cmd.MoveCall);
      case 'Publish':
      case 'Upgrade':
        throw this.#fail(
          'FEATURE_NOT_YET_SUPPORTED',
          `${cmd.$kind} is not supported on localnet: the K3s-DaaS package is built in at ${this.env.pkg.packageId}`,
        );
      default:
        throw this.#fail('FEATURE_NOT_YET_SUPPORTED', `unsupported command`);
    }
  }

  /** Package id the current Move call named (the original or an upgrade). */
  #calledPackage: string | undefined;

  #moveCall(call: Extract<Command, { $kind: 'MoveCall' }>['MoveCall']): Val[] {
    const pkg = addr(call.package);
    if (pkg === this.env.pkg.packageId || this.env.pkg.upgrades?.includes(pkg)) {
      // An event's package_id/module are those of the function called (the upgraded id); its type keeps the original.
      this.#calledPackage = pkg;
      return this.#twinCall(call.module, call.function, call.arguments);
    }
    if (pkg === SUI_FRAMEWORK) return this.#frameworkCall(call.module, call.function, call.typeArguments, call.arguments);
    if (pkg === MOVE_STDLIB) throw this.#fail('FUNCTION_NOT_FOUND', `0x1::${call.module}::${call.function} is not available on localnet`);
    throw this.#fail('FUNCTION_NOT_FOUND', `package ${pkg} does not exist on localnet (only ${this.env.pkg.packageId}, 0x2 coin/pay/transfer)`);
  }

  // === 0x2 framework subset ===

  #frameworkCall(module: string, fn: string, typeArgs: string[], args: Argument[]): Val[] {
    const name = `${module}::${fn}`;
    const arity = (n: number) => {
      if (args.length !== n) throw this.#fail('ARITY_MISMATCH', `0x2::${name} takes ${n} arguments, got ${args.length}`);
    };
    const coinOf = (t: string | undefined) => normalizeType(`0x2::coin::Coin<${t ?? '0x2::sui::SUI'}>`);
    switch (name) {
      case 'coin::split':
      case 'pay::split':
      case 'pay::split_and_transfer': {
        arity(name === 'pay::split_and_transfer' ? 3 : 2);
        const coin = this.#coin(args[0]!, '&mut', `${name} coin`);
        const [out] = this.#split(coin, [this.#u64(args[1]!, 'amount')]);
        if (name === 'coin::split') return [out!];
        const to = name === 'pay::split' ? this.env.sender : this.#address(args[2]!, 'recipient');
        this.#transfer(out!, to, 'coin');
        return [];
      }
      case 'pay::split_vec': {
        arity(2);
        const coin = this.#coin(args[0]!, '&mut', `${name} coin`);
        const amounts = splitVector(this.#pure(args[1]!, 'amounts'), 8).map((b) => readU64le(b));
        for (const c of this.#split(coin, amounts)) this.#transfer(c, this.env.sender, 'coin');
        return [];
      }
      case 'coin::join':
      case 'pay::join': {
        arity(2);
        const dest = this.#coin(args[0]!, '&mut', `${name} self`);
        this.#merge(dest, [this.#coin(args[1]!, 'value', `${name} coin`)]);
        return [];
      }
      case 'pay::join_vec': {
        arity(2);
        const dest = this.#coin(args[0]!, '&mut', `${name} self`);
        const v = this.#take(args[1]!);
        if (v.t !== 'vec') throw this.#fail('COMMAND_ARGUMENT_ERROR', 'pay::join_vec needs a vector of coins');
        this.#merge(dest, v.items.map((i) => this.#object(i, 'coin')));
        return [];
      }
      case 'coin::value': {
        arity(1);
        const coin = this.#coin(args[0]!, '&', 'coin::value coin');
        return [{ t: 'pure', bytes: u64le(coinValue(coin.contents)) }];
      }
      case 'coin::zero':
        arity(0);
        return [this.#newCoin(coinOf(typeArgs[0]), 0n)];
      case 'coin::destroy_zero': {
        arity(1);
        const coin = this.#coin(args[0]!, 'value', 'coin::destroy_zero coin');
        if (coinValue(coin.contents) !== 0n) {
          throw this.#fail('MOVE_ABORT', 'MoveAbort in 0x2::balance::destroy_zero with code 0 (ENonZero)', {
            abort: { packageId: SUI_FRAMEWORK, module: 'balance', function: 'destroy_zero', code: 0n, errorName: 'ENonZero' },
          });
        }
        this.#destroy(coin.id);
        return [];
      }
      case 'transfer::public_transfer': {
        arity(2);
        const to = this.#address(args[1]!, 'recipient');
        this.#transfer(this.#take(args[0]!), to, 'object');
        return [];
      }
      case 'nitro_attestation::load_nitro_attestation':
        throw this.#fail(
          'FEATURE_NOT_YET_SUPPORTED',
          '0x2::nitro_attestation::load_nitro_attestation is not available on localnet: create a debug cluster and use enclave::register_debug',
        );
      default:
        throw this.#fail('FUNCTION_NOT_FOUND', `0x2::${name} is not available on localnet`);
    }
  }

  // === The K3s-DaaS package twin ===

  #twinCall(module: string, fn: string, args: Argument[]): Val[] {
    const { pkg } = this.env;
    const handler = pkg.functions[`${module}::${fn}`];
    const abi = pkg.abi.find((f) => f.module === module && f.name === fn);
    if (!handler) throw this.#fail('FUNCTION_NOT_FOUND', `function ${pkg.packageId}::${module}::${fn} does not exist`);
    if (abi && abi.params.length !== args.length) {
      throw this.#fail('ARITY_MISMATCH', `${module}::${fn} takes ${abi.params.length} arguments, got ${args.length}`);
    }
    const refs = new Map<string, '&' | '&mut' | 'value'>();
    const callArgs: CallArg[] = args.map((a, i) => {
      const param = abi?.params[i];
      const peek = this.#borrow(a);
      if (peek.t === 'pure') {
        if (param && param.kind === 'object') throw this.#fail('COMMAND_ARGUMENT_ERROR', `argument ${i} (${param.name}) of ${module}::${fn} must be an object`);
        if (param) {
          const problem = checkPure(peek.bytes, param.type);
          if (problem) throw this.#fail('COMMAND_ARGUMENT_ERROR', `argument ${i} (${param.name}) of ${module}::${fn} is not a valid ${typeName(param.type, pkg.packageId)}: ${problem}`);
        }
        return { kind: 'pure', bytes: peek.bytes };
      }
      if (param && param.kind === 'pure') throw this.#fail('COMMAND_ARGUMENT_ERROR', `argument ${i} (${param.name}) of ${module}::${fn} must be a pure value`);
      const ref = param?.kind === 'object' ? param.ref : '&mut';
      if (peek.t === 'vec') throw this.#fail('COMMAND_ARGUMENT_ERROR', `argument ${i} of ${module}::${fn}: vectors of objects are not supported`);
      const v = ref === 'value' ? this.#take(a) : peek;
      const o = this.#object(v, `argument ${i}`);
      if (param?.kind === 'object') {
        const expected = typeName(param.type, pkg.packageId);
        if (normalizeType(expected) !== o.type) throw this.#fail('TYPE_ARGUMENT_ERROR', `argument ${i} (${param.name}) of ${module}::${fn} must be ${expected}, got ${o.type}`);
      }
      this.#twinByValue = true;
      try {
        this.#checkAccess(o.id, ref, `argument ${i} of ${module}::${fn}`);
      } finally {
        this.#twinByValue = false;
      }
      refs.set(o.id, ref);
      this.#limbo.delete(o.id);
      let contents = o.contents;
      if (o.id === CLOCK_ID) contents = clockContents(this.env.timestampMs);
      return { kind: 'object', object: { id: o.id, type: o.type, contents, ref: ref } };
    });
    const rt = this.#runtime(module, fn, refs);
    try {
      (handler as PackageFunction)(rt, callArgs);
    } catch (err) {
      if (err instanceof MoveAbortError) {
        throw this.#fail('MOVE_ABORT', err.message, {
          abort: { packageId: pkg.packageId, module: err.module, function: err.fn, code: BigInt(err.abortCode), errorName: err.errorName },
        });
      }
      if (err instanceof ExecFailure) throw err;
      throw this.#fail('VM_INVARIANT_VIOLATION', `${module}::${fn} failed: ${(err as Error).message}`);
    }
    return [];
  }

  #runtime(module: string, fn: string, refs: Map<string, '&' | '&mut' | 'value'>): MoveRuntime {
    const { env } = this;
    const self = this;
    const dfId = (parent: string, key: Uint8Array) => addrFromBytes(blake2b256(new Uint8Array([0xf0]), addrBytes(parent), key));
    const writable = (id: string, what: string) => {
      const ref = refs.get(id);
      const created = env.access.get(id) === 'created';
      if (!created && ref !== '&mut' && ref !== 'value') {
        throw self.#fail('VM_INVARIANT_VIOLATION', `${module}::${fn} cannot ${what} ${id}: it was not passed by &mut or by value`);
      }
      return env.overlay.get(id) ?? (() => {
        throw self.#fail('VM_INVARIANT_VIOLATION', `${module}::${fn} cannot ${what} ${id}: no such object`);
      })();
    };
    const checkSize = (bytes: Uint8Array, what: string) => {
      if (bytes.length > LIMITS.maxObjectBytes) {
        throw self.#fail('OBJECT_TOO_BIG', `${what} is ${bytes.length} bytes; max_move_object_size is ${LIMITS.maxObjectBytes}`, {
          size: { size: BigInt(bytes.length), maxSize: BigInt(LIMITS.maxObjectBytes) },
        });
      }
    };
    return {
      packageId: env.pkg.packageId,
      sender: env.sender,
      txDigest: env.digest,
      freshId: () => deriveObjectId(env.digest, env.ids.next++),
      mutate(id, contents) {
        const o = writable(id, 'mutate');
        checkSize(contents, `object ${id}`);
        env.overlay.put({ ...o, contents });
      },
      delete(id) {
        const o = writable(id, 'delete');
        if (refs.get(id) === '&mut') throw self.#fail('VM_INVARIANT_VIOLATION', `${module}::${fn} cannot delete ${id} passed by &mut`);
        env.overlay.delete(o.id);
      },
      create(type, contents, owner) {
        if (contents.length < 32) throw self.#fail('VM_INVARIANT_VIOLATION', 'object contents must start with its UID');
        checkSize(contents, `new ${type}`);
        const id = addrFromBytes(contents.subarray(0, 32));
        if (env.overlay.get(id)) throw self.#fail('VM_INVARIANT_VIOLATION', `object ${id} already exists`);
        const o: ObjectOwner =
          owner.$kind === 'Shared' ? { $kind: 'Shared', Shared: { initialSharedVersion: '0' } } : { $kind: 'AddressOwner', AddressOwner: addr(owner.address) };
        env.overlay.put(self.#fresh(id, normalizeType(type), contents, o));
        env.access.set(id, 'created');
      },
      emit(type, contents) {
        if (contents.length > LIMITS.maxEventBytes) {
          throw self.#fail('MOVE_ABORT', `event ${type} is ${contents.length} bytes; max_event_emit_size is ${LIMITS.maxEventBytes}`, {
            abort: { packageId: SUI_FRAMEWORK, module: 'event', function: 'emit', code: 2n, errorName: 'ETooBig' },
          });
        }
        self.events.push({ packageId: self.#calledPackage ?? env.pkg.packageId, module, sender: env.sender, type: normalizeType(type), contents, eventSequence: self.events.length });
      },
      dynamicField: {
        get(parent, key) {
          const o = env.overlay.get(dfId(parent, key));
          return o ? o.contents.subarray(32 + key.length) : undefined;
        },
        set(parent, key, value, valueType) {
          const id = dfId(parent, key);
          const contents = new Uint8Array(32 + key.length + value.length);
          contents.set(addrBytes(id), 0);
          contents.set(key, 32);
          contents.set(value, 32 + key.length);
          checkSize(contents, `dynamic field of ${parent}`);
          const prev = env.overlay.get(id);
          const type = normalizeType(`0x2::dynamic_field::Field<vector<u8>, ${valueType}>`);
          env.overlay.put(prev ? { ...prev, contents, type } : self.#fresh(id, type, contents, { $kind: 'ObjectOwner', ObjectOwner: addr(parent) }));
        },
        remove(parent, key) {
          const id = dfId(parent, key);
          if (env.overlay.get(id)) env.overlay.delete(id);
        },
      },
    };
  }
}

/** `0x2::clock::Clock` contents: UID ‖ timestamp_ms. */
export function clockContents(timestampMs: bigint): Uint8Array {
  const b = new Uint8Array(40);
  b.set(addrBytes(CLOCK_ID), 0);
  b.set(u64le(timestampMs), 32);
  return b;
}

export function typeName(t: MoveType, packageId: string): string {
  if (typeof t === 'string') return t;
  if ('vector' in t) return `vector<${typeName(t.vector, packageId)}>`;
  const name = t.struct.replace(/^k3sdaas::/, `${packageId}::`);
  return t.typeArgs?.length ? `${name}<${t.typeArgs.map((a) => typeName(a, packageId)).join(', ')}>` : name;
}

function describe(arg: Argument): string {
  switch (arg.$kind) {
    case 'GasCoin':
      return 'GasCoin';
    case 'Input':
      return `Input(${arg.Input})`;
    case 'Result':
      return `Result(${arg.Result})`;
    case 'NestedResult':
      return `NestedResult(${arg.NestedResult.join(', ')})`;
    default:
      return 'argument';
  }
}

export const isZeroAddress = (a: string) => addr(a) === ZERO;
export const hex = toHex;
