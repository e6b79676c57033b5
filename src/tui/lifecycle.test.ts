import { describe, expect, it } from 'vitest';
import { filterRequests, initialLifecycle, lifecycleReducer, totals, type LifecycleEvent, type LifecycleState } from './lifecycle.js';
import { NOW, SCRIPT, T0 } from './fixtures.js';
import { requestInfo } from './verb.js';

const apply = (events: LifecycleEvent[], state: LifecycleState = initialLifecycle(), max?: number) =>
  lifecycleReducer(state, { type: 'events', events }, max);

const submitted = (id: string, at: number, extra: Partial<Extract<LifecycleEvent, { kind: 'submitted' }>> = {}): LifecycleEvent => ({
  kind: 'submitted',
  requestId: id,
  txDigest: `sub-${id}`,
  requester: '0xa',
  gateway: null,
  tokenId: '0xt',
  role: 1,
  method: 'GET',
  path: '/api/v1/namespaces/default/pods',
  namespace: 'default',
  resource: 'pods',
  bodySize: 10,
  submittedMs: at,
  deadlineMs: at + 60_000,
  ...extra,
});
const stored = (id: string, at: number, status = 200, latencyMs = 100): LifecycleEvent => ({
  kind: 'stored',
  requestId: id,
  txDigest: `sto-${id}`,
  timestampMs: at,
  status,
  latencyMs,
  bodySize: 5,
});

describe('lifecycle reducer: requests', () => {
  it('submitted → authorized, then stored with status, latency and both transactions', () => {
    let s = apply([submitted('0x1', 1000)]);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]).toMatchObject({ key: '0x1', state: 'authorized', verb: 'list', resource: 'pods', namespace: 'default', submitTx: 'sub-0x1' });
    s = apply([stored('0x1', 1800, 200, 800)], s);
    expect(s.requests[0]).toMatchObject({ state: 'stored', status: 200, latencyMs: 800, storeTx: 'sto-0x1', submitTx: 'sub-0x1', storedMs: 1800 });
  });

  it('walks every state: authorized → picked up → stored → delivered', () => {
    const seen: string[] = [];
    let s = initialLifecycle();
    for (const e of [submitted('0x1', 1000), { kind: 'picked-up', requestId: '0x1', timestampMs: 1100 } as const, stored('0x1', 1500), { kind: 'delivered', requestId: '0x1', timestampMs: 1600 } as const]) {
      s = apply([e], s);
      seen.push(s.requests[0].state);
    }
    expect(seen).toEqual(['authorized', 'picked-up', 'stored', 'delivered']);
    expect(s.requests[0]).toMatchObject({ pickedUpMs: 1100, deliveredMs: 1600 });
  });

  it('a late off-chain report never moves a row back', () => {
    const s = apply([submitted('0x1', 1000), stored('0x1', 1500), { kind: 'picked-up', requestId: '0x1', timestampMs: 1100 }]);
    expect(s.requests[0].state).toBe('stored');
    expect(s.requests[0].pickedUpMs).toBe(1100);
  });

  it('an answer seen before its submission still ends as one stored row', () => {
    const s = apply([stored('0x1', 1500), submitted('0x1', 1000)]);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]).toMatchObject({ state: 'stored', verb: 'list', atMs: 1000 });
  });

  it('rejections are rows keyed by their transaction, carrying the contract reason', () => {
    const s = apply([
      {
        kind: 'rejected',
        txDigest: 'bad',
        timestampMs: 2000,
        requester: '0xv',
        gateway: '0xg',
        method: 'POST',
        path: '/api/v1/namespaces/default/configmaps',
        abortModule: 'access',
        abortCode: 5,
        abortName: 'ERoleCannotWrite',
        reason: 'no writes for viewers',
      },
    ]);
    expect(s.requests[0]).toMatchObject({ key: 'bad', requestId: null, state: 'rejected', verb: 'create', resource: 'configmaps', abortName: 'ERoleCannotWrite', reason: 'no writes for viewers', rejectTx: 'bad' });
  });

  it('expired keeps the row, marks it, and does not override an answer', () => {
    let s = apply([submitted('0x1', 1000), { kind: 'expired', requestId: '0x1', txDigest: 'exp', deadlineMs: 61_000 }]);
    expect(s.requests[0]).toMatchObject({ state: 'expired', expireTx: 'exp' });
    s = apply([submitted('0x2', 1000), stored('0x2', 1100), { kind: 'expired', requestId: '0x2', txDigest: 'exp2', deadlineMs: 61_000 }], s);
    expect(s.requests.find((r) => r.key === '0x2')!.state).toBe('stored');
  });

  it('keeps rows ordered by time even when sources interleave', () => {
    const s = apply([submitted('0x3', 3000), submitted('0x1', 1000), submitted('0x2', 2000)]);
    expect(s.requests.map((r) => r.key)).toEqual(['0x1', '0x2', '0x3']);
  });

  it('drops the oldest rows past the cap and still counts them', () => {
    const s = apply([submitted('0x1', 1), submitted('0x2', 2), submitted('0x3', 3)], initialLifecycle(), 2);
    expect(s.requests.map((r) => r.key)).toEqual(['0x2', '0x3']);
    expect(totals(s, 10).requests).toBe(3);
  });

  it('status updates merge', () => {
    let s = lifecycleReducer(initialLifecycle(), { type: 'status', status: { checkpoint: '5' } });
    s = lifecycleReducer(s, { type: 'status', status: { caughtUp: true } });
    expect(s.status).toEqual({ caughtUp: true, checkpoint: '5', error: null });
  });
});

describe('lifecycle reducer: workers and tokens', () => {
  it('registered → joining, join token → active, heartbeat, inactive, left', () => {
    const w = '0xw';
    let s = apply([{ kind: 'worker-registered', workerId: w, nodeName: 'n1', owner: '0xo', stake: 7n, timestampMs: 100 }]);
    expect(s.workers[0]).toMatchObject({ status: 'joining', stake: 7n, nodeName: 'n1', lastHeartbeatMs: 100 });
    s = apply([{ kind: 'join-token-set', workerId: w, timestampMs: 150 }], s);
    expect(s.workers[0].status).toBe('active');
    s = apply([{ kind: 'worker-heartbeat', workerId: w, timestampMs: 200 }], s);
    expect(s.workers[0].lastHeartbeatMs).toBe(200);
    s = apply([{ kind: 'worker-inactive', workerId: w, lastHeartbeatMs: 200, timestampMs: 900 }], s);
    expect(s.workers[0].status).toBe('inactive');
    s = apply([{ kind: 'worker-left', workerId: w, amount: 7n }], s);
    expect(s.workers[0]).toMatchObject({ status: 'left', stake: 0n });
  });

  it('records staked tokens', () => {
    const s = apply([{ kind: 'staked', tokenId: '0xt', owner: '0xo', role: 2, amount: 5n }]);
    expect(s.tokens['0xt']).toEqual({ tokenId: '0xt', owner: '0xo', role: 2, amount: 5n, namespace: '', prepaid: 0n });
  });

  it('tenancy: claims, grants and revokes, top-ups, slashes, fees paid and refunded, revenue withdrawn', () => {
    const s = apply([
      { kind: 'staked', tokenId: '0xt', owner: '0xo', role: 3, amount: 100n, namespace: 'team-a' },
      { kind: 'namespace-claimed', tokenId: '0xt', owner: '0xo', namespace: 'team-a' },
      { kind: 'topped-up', tokenId: '0xt', amount: 50n, prepaid: 50n },
      { kind: 'role-granted', tokenId: '0xt', role: 2 },
      { ...stored('r1', T0), fee: 7n } as LifecycleEvent,
      { kind: 'expired', requestId: 'r2', txDigest: 'x', deadlineMs: T0, refund: 7n },
      { kind: 'slashed', tokenId: '0xt', amount: 30n, reason: 2, remaining: 70n },
      { kind: 'revenue-withdrawn', recipient: '0xop', amount: 7n },
    ]);
    expect(s.tokens['0xt']).toEqual({ tokenId: '0xt', owner: '0xo', role: 2, amount: 70n, namespace: 'team-a', prepaid: 50n });
    expect(s.fees).toEqual({ paid: 7n, refunded: 7n, withdrawn: 7n, slashed: 30n });
    const after = apply([{ kind: 'role-revoked', tokenId: '0xt', role: 2 }, { kind: 'namespace-released', tokenId: '0xt', namespace: 'team-a' }], s);
    expect(after.tokens['0xt']).toMatchObject({ role: 3, namespace: '' });
  });
});

describe('totals and filter', () => {
  const s = apply(SCRIPT);

  it('counts requests per minute, p50 latency and failures', () => {
    expect(totals(s, NOW)).toEqual({
      requests: 7,
      perMinute: 6,
      p50LatencyMs: 840,
      pending: 2,
      rejected: 1,
      expired: 1,
      errors: 1,
      failures: 3,
      fees: { paid: 0n, refunded: 0n, withdrawn: 0n, slashed: 0n },
    });
    expect(totals(initialLifecycle(), NOW).p50LatencyMs).toBeNull();
    expect(totals(s, T0 + 10 * 60_000).perMinute).toBe(0);
  });

  it('filters on every word, across state, verb, resource, namespace, status and reason', () => {
    expect(filterRequests(s.requests, 'rejected').map((r) => r.abortName)).toEqual(['ERoleCannotWrite']);
    expect(filterRequests(s.requests, 'web create').map((r) => r.resource)).toEqual(['deployments']);
    expect(filterRequests(s.requests, '201').map((r) => r.status)).toEqual([201]);
    expect(filterRequests(s.requests, 'VIEWER')).toHaveLength(1);
    expect(filterRequests(s.requests, '')).toHaveLength(7);
  });
});

describe('requestInfo', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/pods', { verb: 'list', namespace: 'default', resource: 'pods', name: '' }],
    ['GET', '/api/v1/namespaces/default/pods/p1/log', { verb: 'get', namespace: 'default', resource: 'pods/log', name: 'p1' }],
    ['POST', '/apis/apps/v1/namespaces/web/deployments', { verb: 'create', namespace: 'web', resource: 'deployments', name: '' }],
    ['DELETE', '/api/v1/namespaces/web', { verb: 'delete', namespace: 'web', resource: 'namespaces', name: 'web' }],
    ['DELETE', '/api/v1/namespaces/web/pods', { verb: 'deletecollection', namespace: 'web', resource: 'pods', name: '' }],
    ['GET', '/api/v1/nodes', { verb: 'list', namespace: '', resource: 'nodes', name: '' }],
    ['GET', '/version', { verb: 'get', namespace: '', resource: '', name: '' }],
  ])('%s %s', (method, path, expected) => {
    expect(requestInfo(method, path)).toEqual(expected);
  });
});
