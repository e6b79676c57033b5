import { describe, expect, it } from 'vitest';
import type { TransactionExecutor } from '../core/chain/index.js';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { MoveAbortError } from '../core/errors.js';
import { RefusalLimiter, parseRefusalLimit } from './refusal-limit.js';
import { refuseOffChain } from './refusals.js';
import { GatewaySubmitter, type Identity } from './submitters.js';
import { parseDuration } from '../core/duration.js';

const text = (r: { body: Uint8Array }) => JSON.parse(new TextDecoder().decode(r.body));

describe('free local pre-checks', () => {
  it('what the contract certainly refuses (authz.ts rules) is refused before submitting, as a 400 naming the contract error', () => {
    const r = refuseOffChain('GET', '/api/v1/namespaces/default/pods/../secrets');
    expect(r?.status).toBe(400);
    expect(text(r!).message).toBe(
      'k3sdaas: the request path is not acceptable: it must start with /, have no empty, . or .. segments, no percent-encoding or other characters outside RFC 3986 pchar, and be at most 1024 bytes (contract request::EInvalidPath; checked before submitting, nothing was submitted or paid)',
    );
    expect(refuseOffChain('GET', '/api/v1/namespaces/%2e%2e/secrets')?.status).toBe(400);
    expect(refuseOffChain('GET', `/api/v1/namespaces/default/configmaps/${'a'.repeat(1100)}`)?.status).toBe(400);
    expect(text(refuseOffChain('OPTIONS', '/api/v1/pods')!).message).toContain('(contract request::EInvalidMethod;');
    // What the contract may accept is left to it (the query is not part of the on-chain path).
    expect(refuseOffChain('GET', '/api/v1/namespaces/default/pods?labelSelector=a%3Db&limit=500')).toBeNull();
    expect(refuseOffChain('DELETE', '/apis/apps/v1/namespaces/default/deployments/web')).toBeNull();
    expect(refuseOffChain('GET', '/version')).toBeNull();
  });
});

describe('recorded refusals are rate limited per credential', () => {
  it('a token bucket: `limit` per window, refilled over time, forgetting full buckets', () => {
    const clock = { t: 0 };
    const l = new RefusalLimiter({ limit: 2, windowMs: 60_000 }, () => clock.t);
    expect(l.allows('a')).toBe(true);
    l.recorded('a');
    l.recorded('a');
    expect(l.allows('a')).toBe(false);
    expect(l.allows('b')).toBe(true);
    clock.t += 30_000;
    expect(l.allows('a')).toBe(true);
    clock.t += 60_000;
    l.allows('a');
    expect(l.size).toBe(0);
    expect(parseRefusalLimit('10/10m', (w) => parseDuration(w))).toEqual({ limit: 10, windowMs: 600_000 });
    expect(parseRefusalLimit('0', (w) => parseDuration(w)).limit).toBe(0);
    expect(() => parseRefusalLimit('10', (w) => parseDuration(w))).toThrow('needs a window');
  });

  it('past the limit a refusal is still refused, but not executed on chain, and says so', async () => {
    const recordedFlags: boolean[] = [];
    const executor = {
      address: '0x' + 'ab'.repeat(32),
      concurrency: 1,
      async execute(_build: unknown, options: { recordAborts?: boolean } = {}) {
        recordedFlags.push(!!options.recordAborts);
        const err = new MoveAbortError('access', 5, 'authorize');
        if (options.recordAborts) err.data.recordedIn = `digest${recordedFlags.length}`;
        throw err;
      },
    } as unknown as TransactionExecutor;
    const submitter = new GatewaySubmitter({
      executor,
      packageId: '0x2',
      clusterId: '0x3',
      expireUnanswered: false,
      refusalLimiter: new RefusalLimiter({ limit: 2, windowMs: 600_000 }),
    });
    const as = (user: string): Identity => ({
      user,
      credential: { bytes: new Uint8Array([1]), signature: new Uint8Array([2]), value: { tokenId: '0x9' } as never },
    });
    const http = { method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: [], body: new Uint8Array() };
    const enclave = Ed25519Keypair.generate().getPublicKey().toRawBytes();
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await submitter.submit(http, as('0x1'), enclave).catch((e: MoveAbortError) => e.data));
    expect(recordedFlags).toEqual([true, true, false]);
    expect(outcomes[0]).toMatchObject({ recordedIn: 'digest1' });
    expect(outcomes[2]).toMatchObject({ notRecorded: 'this credential had 2 refusals recorded in the last 10m' });
    expect((outcomes[2] as Record<string, unknown>).recordedIn).toBeUndefined();
    // Another user's credential has its own allowance.
    await submitter.submit(http, as('0x2'), enclave).catch(() => undefined);
    expect(recordedFlags.at(-1)).toBe(true);
  });

  it('--record-refusals=false: nothing is executed for a refusal', async () => {
    const flags: boolean[] = [];
    const executor = {
      address: '0x1',
      concurrency: 1,
      async execute(_b: unknown, o: { recordAborts?: boolean } = {}) {
        flags.push(!!o.recordAborts);
        throw new MoveAbortError('access', 5, 'authorize');
      },
    } as unknown as TransactionExecutor;
    const submitter = new GatewaySubmitter({ executor, packageId: '0x2', clusterId: '0x3', expireUnanswered: false, recordRefusals: false });
    const identity: Identity = { user: '0x1', credential: { bytes: new Uint8Array([1]), signature: new Uint8Array([2]), value: { tokenId: '0x9' } as never } };
    const err = await submitter.submit({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: [], body: new Uint8Array() }, identity, Ed25519Keypair.generate().getPublicKey().toRawBytes()).catch((e) => e);
    expect(err).toBeInstanceOf(MoveAbortError);
    expect(flags).toEqual([false]);
    expect(err.data.notRecorded).toBeUndefined();
  });
});
