import { Transaction } from '@mysten/sui/transactions';
import { describe, expect, it } from 'vitest';
import { MAX_PURE_ARG, REQUEST_FUNCTIONS } from '../abi/package.js';
import { chunkBody, MAX_CHUNK_SIZE } from './arguments.js';
import * as request from './request.js';
import { decodeMoveCall, expectedArguments } from './testing.js';

const PKG = '0x' + 'ab'.repeat(32);
const CLUSTER = '0x' + 'c2'.repeat(32);
const TOKEN = '0x' + 'd4'.repeat(32);
const REQUEST = '0x' + 'f6'.repeat(32);

const body = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff);
const concat = (chunks: Uint8Array[]) => Uint8Array.from(chunks.flatMap((c) => [...c]));

describe('chunkBody', () => {
  it('splits into chunks that each fit one pure argument and concatenate back', () => {
    for (const n of [0, 1, MAX_CHUNK_SIZE - 1, MAX_CHUNK_SIZE, MAX_CHUNK_SIZE + 1, 98_304]) {
      const chunks = chunkBody(body(n));
      expect(chunks.length).toBe(Math.ceil(n / MAX_CHUNK_SIZE));
      expect(chunks.every((c) => c.length > 0 && c.length <= MAX_CHUNK_SIZE)).toBe(true);
      expect(concat(chunks)).toEqual(body(n));
    }
    expect(MAX_CHUNK_SIZE).toBeLessThan(MAX_PURE_ARG);
  });

  it('rejects a chunk size above the limit', () => {
    expect(() => chunkBody(body(10), MAX_PURE_ARG)).toThrowError(/chunk size/);
  });
});

describe('request calls', () => {
  const common = {
    method: 'POST',
    path: '/api/v1/namespaces/default/pods',
    bodyDigest: new Uint8Array(32).fill(0xdd),
    replyKey: new Uint8Array(32).fill(0xee),
  };

  it('submit: a 96 KiB body becomes 7 pure chunks of at most 16 KiB, in order', () => {
    const tx = new Transaction();
    tx.add(request.submit({ package: PKG, arguments: { cluster: CLUSTER, token: TOKEN, ...common, body: body(98_304) } }));
    const call = decodeMoveCall(tx, REQUEST_FUNCTIONS.submit);
    expect(call.target).toBe(`${PKG}::request::submit`);
    expect(call.arguments).toEqual(
      expectedArguments(REQUEST_FUNCTIONS.submit, {
        cluster: CLUSTER,
        token: TOKEN,
        method: 'POST',
        path: '/api/v1/namespaces/default/pods',
        body_digest: common.bodyDigest,
        body_size: 98_304,
        body: chunkBody(body(98_304)),
        body_blob: '',
        reply_key: common.replyKey,
      }),
    );
    expect(concat(call.arguments.body as Uint8Array[])).toEqual(body(98_304));
    expect(call.sizes.body).toHaveLength(7);
    expect(Math.max(...call.sizes.body)).toBeLessThanOrEqual(MAX_PURE_ARG);
  });

  it('submit: an off-chain body has no chunks, a declared size and a blob id', () => {
    const tx = new Transaction();
    tx.add(
      request.submit({
        package: PKG,
        arguments: { cluster: CLUSTER, token: TOKEN, ...common, body: new Uint8Array(), bodySize: 1_000_000n, bodyBlob: 'blob-1' },
      }),
    );
    const call = decodeMoveCall(tx, REQUEST_FUNCTIONS.submit);
    expect(call.arguments.body).toEqual([]);
    expect(call.arguments.body_size).toBe('1000000');
    expect(call.arguments.body_blob).toBe('blob-1');
  });

  it('submitViaGateway', () => {
    const credential = new Uint8Array(104).fill(3);
    const signature = new Uint8Array(97).fill(4);
    const tx = new Transaction();
    tx.add(request.submitViaGateway({ package: PKG, arguments: { cluster: CLUSTER, credential, signature, ...common, body: body(100) } }));
    const call = decodeMoveCall(tx, REQUEST_FUNCTIONS.submit_via_gateway);
    expect(call.target).toBe(`${PKG}::request::submit_via_gateway`);
    expect(call.arguments).toEqual(
      expectedArguments(REQUEST_FUNCTIONS.submit_via_gateway, {
        cluster: CLUSTER,
        credential,
        signature,
        method: 'POST',
        path: common.path,
        body_digest: common.bodyDigest,
        body_size: 100,
        body: [body(100)],
        body_blob: '',
        reply_key: common.replyKey,
      }),
    );
  });

  it('respond', () => {
    const tx = new Transaction();
    const signature = new Uint8Array(64).fill(9);
    tx.add(
      request.respond({
        package: PKG,
        arguments: {
          cluster: CLUSTER,
          request: REQUEST,
          status: 201,
          bodyDigest: new Uint8Array(32).fill(1),
          body: body(20_000),
          timestampMs: 1_700_000_000_000n,
          signature,
        },
      }),
    );
    const call = decodeMoveCall(tx, REQUEST_FUNCTIONS.respond);
    expect(call.target).toBe(`${PKG}::request::respond`);
    expect(call.arguments).toEqual(
      expectedArguments(REQUEST_FUNCTIONS.respond, {
        cluster: CLUSTER,
        request: REQUEST,
        status: 201,
        body_digest: new Uint8Array(32).fill(1),
        body_size: 20_000,
        body: chunkBody(body(20_000)),
        body_blob: '',
        timestamp_ms: 1_700_000_000_000n,
        signature,
      }),
    );
    expect(call.sizes.status).toEqual([2]);
  });

  it('expire', () => {
    const tx = new Transaction();
    tx.add(request.expire({ package: PKG, arguments: { request: REQUEST } }));
    const call = decodeMoveCall(tx, REQUEST_FUNCTIONS.expire);
    expect(call.target).toBe(`${PKG}::request::expire`);
    expect(call.arguments).toEqual(expectedArguments(REQUEST_FUNCTIONS.expire, { request: REQUEST }));
  });

  it('a path too large for one pure argument is rejected before it reaches the chain', () => {
    const tx = new Transaction();
    expect(() =>
      tx.add(request.submit({ package: PKG, arguments: { cluster: CLUSTER, token: TOKEN, ...common, path: '/'.repeat(MAX_PURE_ARG), body: new Uint8Array() } })),
    ).toThrowError(/request::submit\(path\).*pure-argument limit/);
  });
});
