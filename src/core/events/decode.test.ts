import { describe, expect, it } from 'vitest';
import { toBase64 } from '@mysten/sui/utils';
import { bcsForStruct } from '../abi/bcs.js';
import { EVENT_STRUCTS, OBJECT_STRUCTS } from '../abi/package.js';
import type { MoveType, StructAbi } from '../abi/types.js';
import { decodeCluster, decodeEvent, decodeObject, decodeRequest, decodeSealToken, decodeWorker, isEvent } from './decode.js';
import type { K3sDaasEvent, RequestSubmitted } from './types.js';

const PKG = '0x' + '0a'.repeat(32);
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A sample value for a Move type: what BCS serializes (`input`) and what the decoder must return (`expected`). */
function sample(type: MoveType, seed: number): { input: unknown; expected: unknown } {
  if (typeof type === 'string') {
    switch (type) {
      case 'bool':
        return { input: seed % 2 === 1, expected: seed % 2 === 1 };
      case 'u8':
        return { input: seed & 0xff, expected: seed & 0xff };
      case 'u16':
        return { input: 200 + seed, expected: 200 + seed };
      case 'u32':
        return { input: 70_000 + seed, expected: 70_000 + seed };
      case 'u64':
        return { input: 2n ** 63n + BigInt(seed), expected: 2n ** 63n + BigInt(seed) };
      case 'address': {
        const hex = '0x' + (seed & 0xff).toString(16).padStart(2, '0').repeat(32);
        return { input: hex, expected: hex };
      }
      default:
        throw new Error(`no sample for ${type}`);
    }
  }
  if ('vector' in type) {
    if (type.vector === 'u8') {
      const bytes = Uint8Array.from({ length: 3 + (seed % 40) }, (_, i) => (seed + i) & 0xff);
      return { input: bytes, expected: bytes };
    }
    const items = [0, 1, 2].map((i) => sample(type.vector, seed + i));
    return { input: items.map((i) => i.input), expected: items.map((i) => i.expected) };
  }
  switch (type.struct) {
    case '0x2::object::ID':
    case '0x2::object::UID':
      return sample('address', seed);
    case '0x1::string::String':
      return { input: `value-${seed}-é`, expected: `value-${seed}-é` };
    case '0x1::option::Option':
      return seed % 2 ? sample(type.typeArgs![0], seed) : { input: null, expected: null };
    case '0x2::balance::Balance':
      return { input: { value: BigInt(seed) * 1000n }, expected: BigInt(seed) * 1000n };
    case '0x2::table::Table': {
      const id = sample('address', seed).input as string;
      return { input: { id, size: BigInt(seed) }, expected: { id, size: BigInt(seed) } };
    }
  }
  throw new Error(`no sample for ${type.struct}`);
}

function sampleStruct(struct: StructAbi, salt: number) {
  const input: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  struct.fields.forEach((field, i) => {
    const s = sample(field.type, 17 * (i + 1) + salt);
    input[field.name] = s.input;
    expected[camel(field.name)] = s.expected;
  });
  return { input, expected, bytes: bcsForStruct(struct.module, struct.name).serialize(input).toBytes() as Uint8Array };
}

describe('decodeEvent', () => {
  it.each(EVENT_STRUCTS.map((s) => [`${s.module}::${s.name}`, s] as const))('%s round-trips', (_, struct) => {
    for (const salt of [0, 1]) {
      const { expected, bytes } = sampleStruct(struct, salt);
      const event = decodeEvent({ eventType: `${PKG}::${struct.module}::${struct.name}`, bcs: bytes });
      expect(event).toEqual({ $kind: struct.name, packageId: PKG, ...expected });
    }
  });

  it('accepts the raw gRPC shape (contents.value), base64 bcs and short package addresses', () => {
    const struct = EVENT_STRUCTS.find((s) => s.name === 'WorkerHeartbeat')!;
    const { bytes, expected } = sampleStruct(struct, 3);
    const a = decodeEvent({ eventType: '0x2a::workers::WorkerHeartbeat', contents: { value: bytes } });
    const b = decodeEvent({ type: '0x2a::workers::WorkerHeartbeat', bcs: toBase64(bytes) });
    expect(a).toEqual({ $kind: 'WorkerHeartbeat', packageId: '0x' + '0'.repeat(62) + '2a', ...expected });
    expect(b).toEqual(a);
  });

  it('returns null for unknown types, other packages and generic types', () => {
    const bytes = new Uint8Array(8);
    expect(decodeEvent({ eventType: `${PKG}::request::Nope`, bcs: bytes })).toBeNull();
    expect(decodeEvent({ eventType: `${PKG}::other::RequestSubmitted`, bcs: bytes })).toBeNull();
    expect(decodeEvent({ eventType: '0x2::coin::CoinCreated<0x2::sui::SUI>', bcs: bytes })).toBeNull();
    const struct = EVENT_STRUCTS.find((s) => s.name === 'Slashed')!;
    const { bytes: ok } = sampleStruct(struct, 0);
    expect(decodeEvent({ eventType: `${PKG}::access::Slashed`, bcs: ok }, { packageId: '0xbeef' })).toBeNull();
    expect(decodeEvent({ eventType: `${PKG}::access::Slashed`, bcs: ok }, { packageId: PKG })?.$kind).toBe('Slashed');
  });

  it('throws on truncated or over-long bytes of a known type', () => {
    const struct = EVENT_STRUCTS.find((s) => s.name === 'RequestExpired')!;
    const { bytes } = sampleStruct(struct, 0);
    const type = `${PKG}::request::RequestExpired`;
    expect(() => decodeEvent({ eventType: type, bcs: bytes.subarray(0, bytes.length - 1) })).toThrowError(/RequestExpired/);
    expect(() => decodeEvent({ eventType: type, bcs: Uint8Array.from([...bytes, 0]) })).toThrowError(/trailing/);
  });

  it('gives typed fields for RequestSubmitted (bigint u64, null gateway, Uint8Array body)', () => {
    const schema = bcsForStruct('request', 'RequestSubmitted');
    const bytes = schema
      .serialize({
        request_id: '0x1',
        cluster_id: '0x2',
        requester: '0x3',
        gateway: null,
        token_id: '0x4',
        role: 1,
        method: 'GET',
        path: '/api/v1/namespaces/default/pods',
        namespace: 'default',
        resource: 'pods',
        body_digest: new Uint8Array(32),
        body_size: 0n,
        body: new Uint8Array(),
        body_blob: '',
        reply_key: new Uint8Array(32).fill(1),
        submitted_ms: 1000n,
        deadline_ms: 31_000n,
        fee: 7n,
      })
      .toBytes();
    const event: K3sDaasEvent | null = decodeEvent({ eventType: `${PKG}::request::RequestSubmitted`, bcs: bytes });
    expect(isEvent(event, 'RequestSubmitted')).toBe(true);
    const e = event as RequestSubmitted;
    expect(e.requestId).toBe('0x' + '0'.repeat(63) + '1');
    expect(e.gateway).toBeNull();
    expect(e.deadlineMs - e.submittedMs).toBe(30_000n);
    expect(e.fee).toBe(7n);
    expect(e.body).toBeInstanceOf(Uint8Array);
    expect(e.namespace).toBe('default');
  });
});

describe('object decoders', () => {
  it.each(OBJECT_STRUCTS.filter((s) => s.abilities.includes('key')).map((s) => [s.name, s] as const))(
    '%s round-trips through decodeObject',
    (_, struct) => {
      const { bytes, expected } = sampleStruct(struct, 5);
      const decoded = decodeObject({ type: `${PKG}::${struct.module}::${struct.name}`, content: bytes });
      expect(decoded).toEqual({ $kind: struct.name, ...expected });
    },
  );

  it('named decoders return typed objects', () => {
    const find = (name: string) => OBJECT_STRUCTS.find((s) => s.name === name)!;
    expect(decodeCluster(sampleStruct(find('Cluster'), 0).bytes).stakes.size).toBe(19n * 17n);
    expect(typeof decodeSealToken(sampleStruct(find('SealToken'), 0).bytes).namespace).toBe('string');
    expect(decodeRequest(sampleStruct(find('Request'), 0).bytes).gateway).toMatch(/^0x/);
    expect(decodeWorker(sampleStruct(find('Worker'), 0).bytes).stake).toBe(119n * 1000n);
  });

  it('returns null for other types and throws without content', () => {
    expect(decodeObject({ type: '0x2::coin::Coin<0x2::sui::SUI>', content: new Uint8Array() })).toBeNull();
    expect(decodeObject({ type: `${PKG}::cluster::Stake`, content: new Uint8Array() })).toBeNull();
    expect(() => decodeObject({ type: `${PKG}::access::SealToken` })).toThrowError(/without content/);
  });
});
