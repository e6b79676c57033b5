/**
 * An in-memory MoveRuntime for testing the twin without the localnet engine: objects, table entries (dynamic
 * fields), events and a clock; arguments encoded from the ABI by parameter name; a call's effects are applied only
 * if it does not abort, like a transaction.
 */
import { readFileSync } from 'node:fs';
import { bcs } from '@mysten/sui/bcs';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { fromBase64 } from '@mysten/sui/utils';
import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { bcsFor, bcsForStruct } from '../../core/abi/bcs.js';
import { ERRORS, EVENT_STRUCTS } from '../../core/abi/package.js';
import type { MoveType } from '../../core/abi/types.js';
import { intentMessageBytes } from './enclave.js';
import { MoveAbortError, type CallArg, type MoveRuntime, type NewOwner, type PackageFunction } from '../engine/move-runtime.js';
import { SUI_COIN_TYPE, fnAbi, normalizeAddress, typeTag } from './common.js';
import { K3SDAAS_FUNCTIONS } from './index.js';

export const CLOCK_ID = normalizeAddress('0x6');
export const TEST_PACKAGE_ID = '0x' + 'c0ffee'.padStart(64, '0');

export type FakeOwner = NewOwner | { $kind: 'Immutable' };

export interface FakeObject {
  id: string;
  type: string;
  contents: Uint8Array;
  owner: FakeOwner;
  version: number;
}

export interface DecodedEvent {
  type: string;
  module: string;
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: Record<string, any>;
}

export interface CallEffects {
  events: DecodedEvent[];
  created: FakeObject[];
  mutated: string[];
  deleted: string[];
  /** Table entries written (`set`) or removed, as `parent/keyhex`. */
  fieldsSet: string[];
  fieldsRemoved: string[];
}

/** A raw pure argument (BCS bytes as given) instead of a value encoded from the ABI type. */
export class RawBytes {
  constructor(readonly bytes: Uint8Array) {}
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export interface RunOptions {
  /** The transaction digest ids derive from (0x + 64 hex); a fresh one by default. */
  txDigest?: string;
  /** The creation counter of the first fresh id (objects created earlier in the same transaction). */
  firstId?: number;
}

/** Sui's object id derivation: blake2b256(0xf1 ‖ tx digest ‖ u64 creation counter). */
export function objectId(txDigest: string, counter: number): string {
  const buf = new Uint8Array(41);
  buf[0] = 0xf1;
  buf.set(bcs.Address.serialize(txDigest).toBytes(), 1);
  buf.set(bcs.u64().serialize(BigInt(counter)).toBytes(), 33);
  return '0x' + hex(blake2b(buf, { dkLen: 32 }));
}

/** Transaction digests differ across chains, so objects of two fake chains never share ids. */
let globalTxCount = 0;

export class FakeChain {
  objects = new Map<string, FakeObject>();
  fields = new Map<string, { parent: string; key: Uint8Array; value: Uint8Array; valueType: string }>();
  clockMs = 1_700_000_000_000n;

  constructor(
    readonly packageId = TEST_PACKAGE_ID,
    readonly functions: Record<string, PackageFunction> = K3SDAAS_FUNCTIONS,
  ) {}

  /** A `Coin<SUI>` owned by `owner`. */
  mintCoin(owner: string, amount: bigint | number): string {
    const id = this.nextDigestId();
    const contents = bcsFor({ struct: '0x2::coin::Coin', typeArgs: [{ struct: '0x2::sui::SUI' }] })
      .serialize({ id, balance: { value: BigInt(amount) } })
      .toBytes();
    this.objects.set(id, { id, type: SUI_COIN_TYPE, contents, owner: { $kind: 'AddressOwner', address: normalizeAddress(owner) }, version: 1 });
    return id;
  }

  /** Puts an arbitrary object in the store (e.g. a forged one to test type checks). */
  put(obj: Omit<FakeObject, 'version'>): void {
    this.objects.set(obj.id, { ...obj, version: 1 });
  }

  get(id: string): FakeObject {
    const o = this.objects.get(normalizeAddress(id));
    if (!o) throw new Error(`no object ${id}`);
    return o;
  }

  has(id: string): boolean {
    return this.objects.has(normalizeAddress(id));
  }

  /** Decodes a K3s-DaaS object (`module::Name`) or a coin. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  read(id: string): Record<string, any> {
    const o = this.get(id);
    if (o.type === SUI_COIN_TYPE) return bcsFor({ struct: '0x2::coin::Coin', typeArgs: [{ struct: '0x2::sui::SUI' }] }).parse(o.contents);
    const m = /::(\w+)::(\w+)$/.exec(o.type);
    if (!m) throw new Error(`cannot decode ${o.type}`);
    return bcsForStruct(m[1], m[2]).parse(o.contents);
  }

  coinValue(id: string): bigint {
    return BigInt(this.read(id).balance.value);
  }

  /** Objects of a type suffix (e.g. `::access::SealToken`) owned by `address`. */
  ownedBy(address: string, typeSuffix?: string): FakeObject[] {
    const a = normalizeAddress(address);
    return [...this.objects.values()].filter(
      (o) => o.owner.$kind === 'AddressOwner' && o.owner.address === a && (!typeSuffix || o.type.endsWith(typeSuffix)),
    );
  }

  field(parent: string, key: Uint8Array): Uint8Array | undefined {
    return this.fields.get(`${normalizeAddress(parent)}/${hex(key)}`)?.value;
  }

  /**
   * Calls `module::function` as `sender`. `args` are by parameter name: pure values as the ABI's BCS type takes
   * them (or RawBytes), objects by id; the clock defaults to 0x6 at `clockMs`.
   */
  call(sender: string, target: string, args: Record<string, unknown>, opts: RunOptions = {}): CallEffects {
    const [module, name] = target.split('::');
    const abi = fnAbi(module, name);
    const fn = this.functions[target];
    if (!fn) throw new Error(`no twin function ${target}`);
    this.ensureClock();
    const callArgs: CallArg[] = abi.params.map((param) => {
      const value = args[param.name] ?? (param.name === 'clock' ? CLOCK_ID : undefined);
      if (value === undefined) throw new Error(`${target}: missing argument ${param.name}`);
      if (param.kind === 'pure') {
        return { kind: 'pure', bytes: value instanceof RawBytes ? value.bytes : bcsFor(param.type).serialize(value).toBytes() };
      }
      if (value instanceof RawBytes) return { kind: 'pure', bytes: value.bytes };
      const o = this.get(value as string);
      const sent = normalizeAddress(sender);
      if (o.owner.$kind === 'AddressOwner' && o.owner.address !== sent) {
        throw new Error(`${target}: object ${o.id} is owned by ${o.owner.address}, not the sender`);
      }
      return { kind: 'object', object: { id: o.id, type: o.type, contents: o.contents, ref: param.ref } };
    });
    return this.run(sender, fn, callArgs, opts);
  }

  /** Runs a twin function on raw arguments; effects are applied only if it returns. */
  run(sender: string, fn: PackageFunction, callArgs: CallArg[], opts: RunOptions = {}): CallEffects {
    const objects = new Map(this.objects);
    const fields = new Map(this.fields);
    const effects: CallEffects = { events: [], created: [], mutated: [], deleted: [], fieldsSet: [], fieldsRemoved: [] };
    const txDigest = opts.txDigest ?? this.nextDigestId();
    let counter = opts.firstId ?? 0;
    const rt: MoveRuntime = {
      packageId: this.packageId,
      sender: normalizeAddress(sender),
      txDigest,
      freshId: () => objectId(txDigest, counter++),
      mutate: (id, contents) => {
        const o = objects.get(id);
        if (!o) throw new Error(`mutate: no object ${id}`);
        objects.set(id, { ...o, contents, version: o.version + 1 });
        if (!effects.mutated.includes(id)) effects.mutated.push(id);
      },
      delete: (id) => {
        if (!objects.delete(id)) throw new Error(`delete: no object ${id}`);
        effects.deleted.push(id);
        effects.mutated = effects.mutated.filter((x) => x !== id);
      },
      create: (type, contents, owner) => {
        const id = '0x' + hex(contents.slice(0, 32));
        if (objects.has(id)) throw new Error(`create: ${id} exists`);
        const o: FakeObject = { id, type, contents, owner, version: 1 };
        objects.set(id, o);
        effects.created.push(o);
      },
      emit: (type, contents) => {
        const m = /^(0x[0-9a-f]+)::(\w+)::(\w+)$/.exec(type);
        if (!m || m[1] !== this.packageId) throw new Error(`emit: bad event type ${type}`);
        if (!EVENT_STRUCTS.some((s) => s.module === m[2] && s.name === m[3])) throw new Error(`emit: ${type} is not an event`);
        effects.events.push({ type, module: m[2], name: m[3], data: bcsForStruct(m[2], m[3]).parse(contents) });
      },
      dynamicField: {
        get: (parent, key) => fields.get(`${parent}/${hex(key)}`)?.value,
        set: (parent, key, value, valueType) => {
          fields.set(`${parent}/${hex(key)}`, { parent, key, value, valueType });
          effects.fieldsSet.push(`${parent}/${hex(key)}`);
        },
        remove: (parent, key) => {
          if (!fields.delete(`${parent}/${hex(key)}`)) throw new Error(`remove: no field ${parent}/${hex(key)}`);
          effects.fieldsRemoved.push(`${parent}/${hex(key)}`);
        },
      },
    };
    fn(rt, callArgs);
    this.objects = objects;
    this.fields = fields;
    return effects;
  }

  /** Calls and expects a Move abort; returns it. */
  abort(sender: string, target: string, args: Record<string, unknown>): MoveAbortError {
    const before = { objects: this.objects, fields: this.fields };
    try {
      this.call(sender, target, args);
    } catch (e) {
      if (e instanceof MoveAbortError) {
        if (this.objects !== before.objects || this.fields !== before.fields) throw new Error('state changed on abort');
        return e;
      }
      throw e;
    }
    throw new Error(`${target} did not abort`);
  }

  private ensureClock(): void {
    const contents = bcsFor({ struct: '0x2::clock::Clock' }).serialize({ id: CLOCK_ID, timestamp_ms: this.clockMs }).toBytes();
    this.objects.set(CLOCK_ID, { id: CLOCK_ID, type: '0x2::clock::Clock', contents, owner: { $kind: 'Shared' }, version: 1 });
  }

  private nextDigestId(): string {
    const n = new Uint8Array(8);
    new DataView(n.buffer).setBigUint64(0, BigInt(++globalTxCount), true);
    return '0x' + hex(blake2b(n, { dkLen: 32 }));
  }

  /** `typeTag` for the test package. */
  typeOf(module: string, name: string): string {
    return typeTag({ packageId: this.packageId } as MoveRuntime, { struct: `k3sdaas::${module}::${name}` });
  }
}

// === Scenario fixtures (mirror move/tests/env_tests.move) ===

export const OPERATOR = normalizeAddress('0xa');
export const OTHER = normalizeAddress('0xe');
export const GATEWAY = normalizeAddress('0x6a7e');
export const WORKER = normalizeAddress('0xb0b');
export const T0 = 1_700_000_000_000n;
export const MIN_USER_STAKE = 100n;
export const MIN_WRITE_STAKE = 200n;
export const MIN_WORKER_STAKE = 1_000n;
export const STAKE_LOCK_MS = 86_400_000n;
export const REQUEST_TIMEOUT_MS = 30_000n;
export const HEARTBEAT_TIMEOUT_MS = 60_000n;
export const UNBONDING_MS = 600_000n;
/** One slash takes at most half of a stake, like env_tests.move. */
export const MAX_SLASH_BPS = 5_000n;
export const PCRS = [new Uint8Array(48).fill(0), new Uint8Array(48).fill(1), new Uint8Array(48).fill(2)];
export const CA_HASH = new Uint8Array(32).fill(7);
export const WORKER_KEY = new Uint8Array(32).fill(0xcc);
export const REQUEST_DIGEST = new Uint8Array(32).fill(0xaa);
export const RESPONSE_DIGEST = new Uint8Array(32).fill(0xbb);
export const REPLY_KEY = new Uint8Array(32).fill(0xdd);
/** The enclave's ed25519 secret key (the same as scripts/move-test-vectors.ts). */
export const ENCLAVE_SECRET = new Uint8Array(32).fill(0x01);
export const ENCLAVE_PK = ed25519.getPublicKey(ENCLAVE_SECRET);
/** The user's Sui key (the same as scripts/move-test-vectors.ts). */
export const USER_KEYPAIR = Ed25519Keypair.fromSecretKey(new Uint8Array(32).fill(0x02));
export const USER = USER_KEYPAIR.getPublicKey().toSuiAddress();

/** Signs `bcs(IntentMessage { intent, timestamp_ms, payload })` with a raw ed25519 key. */
export function enclaveSign(intent: number, timestampMs: bigint, payloadType: MoveType, payload: unknown, secret: Uint8Array = ENCLAVE_SECRET): Uint8Array {
  return ed25519.sign(intentMessageBytes(intent, timestampMs, payloadType, payload), secret);
}

export function credentialBytes(c: { cluster_id: string; gateway: string; token_id: string; expires_ms: bigint }): Uint8Array {
  return bcsForStruct('credential', 'Credential').serialize(c).toBytes();
}

/** A credential signed as a Sui personal message: `{ credential, signature }` (97-byte serialized signature). */
export async function signCredential(
  c: { cluster_id: string; gateway: string; token_id: string; expires_ms: bigint },
  keypair: Ed25519Keypair = USER_KEYPAIR,
): Promise<{ credential: Uint8Array; signature: Uint8Array }> {
  const credential = credentialBytes(c);
  const { signature } = await keypair.signPersonalMessage(credential);
  return { credential, signature: fromBase64(signature) };
}

/** A cluster with fixtures like env_tests.move. */
export class TestEnv {
  readonly chain = new FakeChain();
  clusterId = '';
  capId = '';

  constructor() {
    this.chain.clockMs = T0;
  }

  /** tx0: OPERATOR creates a debug or attested cluster. */
  static create(debug: boolean): TestEnv {
    const env = new TestEnv();
    const fx = env.chain.call(OPERATOR, 'cluster::create', env.createArgs(debug));
    env.clusterId = fx.created.find((o) => o.type.endsWith('::cluster::Cluster'))!.id;
    env.capId = fx.created.find((o) => o.type.endsWith('::cluster::ClusterAdminCap'))!.id;
    return env;
  }

  createArgs(debug: boolean): Record<string, unknown> {
    return {
      name: 'dev',
      api_url: 'https://10.0.0.1:6443',
      ca_hash: CA_HASH,
      min_user_stake: MIN_USER_STAKE,
      min_write_stake: MIN_WRITE_STAKE,
      min_worker_stake: MIN_WORKER_STAKE,
      stake_lock_ms: STAKE_LOCK_MS,
      request_timeout_ms: REQUEST_TIMEOUT_MS,
      heartbeat_timeout_ms: HEARTBEAT_TIMEOUT_MS,
      read_fee: 0n,
      write_fee: 0n,
      worker_policy: 1,
      unbonding_ms: UNBONDING_MS,
      max_slash_bps: MAX_SLASH_BPS,
      debug,
      expected_pcrs: debug ? [] : PCRS,
    };
  }

  /** tx0 + tx1: a debug cluster with the test enclave key and GATEWAY registered. */
  static setup(): TestEnv {
    const env = TestEnv.create(true);
    env.chain.call(OPERATOR, 'enclave::register_debug', { cap: env.capId, cluster: env.clusterId, public_key: ENCLAVE_PK });
    env.chain.call(OPERATOR, 'cluster::register_gateway', { cap: env.capId, cluster: env.clusterId, gateway: GATEWAY });
    return env;
  }

  #namespaces = 0;

  /** `sender` stakes `amount` as a tenant of `namespace` (access::stake); returns the token id. */
  stakeTenant(sender: string, amount: bigint, namespace: string): string {
    const payment = this.chain.mintCoin(sender, amount);
    const fx = this.chain.call(sender, 'access::stake', { cluster: this.clusterId, payment, namespace });
    return fx.created.find((o) => o.type.endsWith('::access::SealToken'))!.id;
  }

  /**
   * `sender` stakes `amount` for a token of `role`: a tenant of a fresh namespace (`ns-1`, `ns-2`, ...), granted
   * `role` by OPERATOR unless it is ROLE_TENANT (3); returns the token id.
   */
  stake(sender: string, role: number, amount: bigint): string {
    const token = this.stakeTenant(sender, amount, `ns-${++this.#namespaces}`);
    if (role !== 3) this.chain.call(OPERATOR, 'access::grant', { cap: this.capId, cluster: this.clusterId, token_id: token, role });
    return token;
  }

  /** `sender` registers a worker `worker-1` with WORKER_KEY; returns the worker id. */
  registerWorker(sender = WORKER, amount = MIN_WORKER_STAKE): string {
    const payment = this.chain.mintCoin(sender, amount);
    const fx = this.chain.call(sender, 'workers::register', {
      cluster: this.clusterId,
      payment,
      node_name: 'worker-1',
      encryption_key: WORKER_KEY,
    });
    return fx.created.find((o) => o.type.endsWith('::workers::Worker'))!.id;
  }

  /** Arguments of request::submit for `token` (a GET of pods by default). */
  submitArgs(token: string, over: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      cluster: this.clusterId,
      token,
      method: 'GET',
      path: '/api/v1/namespaces/default/pods',
      body_digest: REQUEST_DIGEST,
      body_size: 0n,
      body: [],
      body_blob: '',
      reply_key: REPLY_KEY,
      ...over,
    };
  }

  /** `sender` submits with `token`; returns the request id. */
  submit(sender: string, token: string, over: Record<string, unknown> = {}): string {
    const fx = this.chain.call(sender, 'request::submit', this.submitArgs(token, over));
    return fx.created.find((o) => o.type.endsWith('::request::Request'))!.id;
  }

  /** Arguments of request::respond signed by the enclave (status 200, RESPONSE_DIGEST, timestamp = clock). */
  respondArgs(requestId: string, over: { status?: number; body_digest?: Uint8Array; timestamp_ms?: bigint; secret?: Uint8Array } = {}): Record<string, unknown> {
    const request = this.chain.read(requestId);
    const status = over.status ?? 200;
    const bodyDigest = over.body_digest ?? RESPONSE_DIGEST;
    const ts = over.timestamp_ms ?? this.chain.clockMs;
    const signature = enclaveSign(0, ts, { struct: 'k3sdaas::request::ResponsePayload' }, {
      request_id: requestId,
      requester: request.requester,
      request_body_digest: request.body_digest,
      status,
      response_body_digest: bodyDigest,
    }, over.secret ?? ENCLAVE_SECRET);
    return {
      cluster: this.clusterId,
      request: requestId,
      status,
      body_digest: bodyDigest,
      body_size: 2n,
      body: [new Uint8Array([1, 2])],
      body_blob: '',
      timestamp_ms: ts,
      signature,
    };
  }

  read(id: string) {
    return this.chain.read(id);
  }
}

/** Asserts a Move abort's location and code (and that the code's name in the ABI is `name`). */
export function expectAbort(e: MoveAbortError, module: string, fn: string, name: string): void {
  const want = `${module}::${fn} ${name}`;
  const got = `${e.module}::${e.fn} ${e.errorName}`;
  if (got !== want) throw new Error(`expected abort ${want}, got ${got} (code ${e.abortCode})`);
  const code = ERRORS.find((x) => x.module === module && x.name === name)?.code;
  if (code === undefined || code !== e.abortCode) throw new Error(`abort code ${e.abortCode} is not ${module}::${name}`);
}

/** The constants of move/tests/vectors_tests.move (generated by scripts/move-test-vectors.ts). */
export function moveVectors(): { bytes(name: string): Uint8Array; address(name: string): string; u64(name: string): bigint } {
  const text = readFileSync(new URL('../../../move/tests/vectors_tests.move', import.meta.url), 'utf8');
  const find = (name: string, re: string) => {
    const m = new RegExp(`const ${name}: [^=]+= ${re};`).exec(text);
    if (!m) throw new Error(`no ${name} in move/tests/vectors_tests.move`);
    return m[1];
  };
  return {
    bytes: (name) => {
      const m = new RegExp(`const ${name}: vector<u8> = (x"([0-9a-f]*)"|b"([^"]*)");`).exec(text);
      if (!m) throw new Error(`no ${name} in move/tests/vectors_tests.move`);
      return m[2] !== undefined ? new Uint8Array(Buffer.from(m[2], 'hex')) : new TextEncoder().encode(m[3]);
    },
    address: (name) => normalizeAddress(find(name, '@(0x[0-9a-f]+)')),
    u64: (name) => BigInt(find(name, '(\\d+)')),
  };
}
