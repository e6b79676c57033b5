import { describe, expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { idBytes } from './common.js';
import { bcsForStruct } from '../../core/abi/bcs.js';
import { MAX_INLINE_BODY } from '../../core/abi/package.js';
import {
  GATEWAY,
  MIN_WRITE_STAKE,
  OPERATOR,
  OTHER,
  REPLY_KEY,
  REQUEST_DIGEST,
  REQUEST_TIMEOUT_MS,
  RESPONSE_DIGEST,
  T0,
  TestEnv,
  USER,
  expectAbort,
  signCredential,
} from './testing.js';

const VIEWER = 0;
const EDITOR = 1;
const ADMIN = 2;
const G2 = '0x' + '2'.padStart(64, '0');

function holder(role: number, amount = 1_000n) {
  const env = TestEnv.setup();
  const token = env.stake(USER, role, amount);
  return { env, token };
}

async function viaGateway(env: TestEnv, token: string, over: Record<string, unknown> = {}, cred: Partial<{ cluster_id: string; gateway: string; token_id: string; expires_ms: bigint }> = {}, keypair?: Ed25519Keypair) {
  const { credential, signature } = await signCredential(
    { cluster_id: env.clusterId, gateway: GATEWAY, token_id: token, expires_ms: T0 + 3_600_000n, ...cred },
    keypair,
  );
  const args = env.submitArgs(token, over);
  delete args.token;
  return { credential, signature, ...args };
}

describe('request::submit', () => {
  it('shares a Request and emits RequestSubmitted; the Cluster is written (the fee escrow, 0 here)', () => {
    const { env, token } = holder(EDITOR);
    const chunks = [new Uint8Array(16 * 1024).fill(1), new Uint8Array([2, 3])];
    const fx = env.chain.call(
      USER,
      'request::submit',
      env.submitArgs(token, { method: 'POST', path: '/api/v1/namespaces/default/pods', body: chunks, body_size: 16_386n, body_blob: '' }),
    );
    expect(fx.mutated).toEqual([env.clusterId]);
    expect(fx.deleted).toEqual([]);
    expect(fx.created).toHaveLength(1);
    const req = fx.created[0];
    expect(req.type).toBe(env.chain.typeOf('request', 'Request'));
    expect(req.owner).toEqual({ $kind: 'Shared' });
    const deadline = T0 + REQUEST_TIMEOUT_MS;
    expect(env.read(req.id)).toEqual({
      id: req.id,
      version: '1',
      cluster_id: env.clusterId,
      requester: USER,
      gateway: null,
      token_id: token,
      method: 'POST',
      path: '/api/v1/namespaces/default/pods',
      body_digest: REQUEST_DIGEST,
      reply_key: REPLY_KEY,
      submitted_ms: String(T0),
      deadline_ms: String(deadline),
      fee: { value: '0' },
    });
    expect(fx.events).toHaveLength(1);
    expect(fx.events[0].type).toBe(env.chain.typeOf('request', 'RequestSubmitted'));
    const body = new Uint8Array(16_386);
    body.set(chunks[0]);
    body.set(chunks[1], 16_384);
    expect(fx.events[0].data).toEqual({
      request_id: req.id,
      cluster_id: env.clusterId,
      requester: USER,
      gateway: null,
      token_id: token,
      role: EDITOR,
      method: 'POST',
      path: '/api/v1/namespaces/default/pods',
      namespace: 'default',
      resource: 'pods',
      body_digest: REQUEST_DIGEST,
      body_size: '16386',
      body,
      body_blob: '',
      reply_key: REPLY_KEY,
      submitted_ms: String(T0),
      deadline_ms: String(deadline),
      fee: '0',
    });
  });

  it('reports namespace and resource of subresources and off-chain bodies', () => {
    const { env, token } = holder(VIEWER);
    const fx = env.chain.call(USER, 'request::submit', env.submitArgs(token, { path: '/api/v1/namespaces/default/pods/web/log', body_size: 200_000n, body_blob: 'blob-1' }));
    expect(fx.events[0].data).toMatchObject({ namespace: 'default', resource: 'pods/log', role: VIEWER, body: new Uint8Array(), body_blob: 'blob-1', body_size: '200000' });
    const fx2 = env.chain.call(USER, 'request::submit', env.submitArgs(token, { method: 'HEAD', path: '/version' }));
    expect(fx2.events[0].data).toMatchObject({ namespace: '', resource: '', method: 'HEAD' });
  });

  it('reports namespace subresources (status, finalize) as resource namespaces/{sub} in the namespace itself', () => {
    const { env, token } = holder(VIEWER);
    const fx = env.chain.call(USER, 'request::submit', env.submitArgs(token, { method: 'GET', path: '/api/v1/namespaces/foo/status' }));
    expect(fx.events[0].data).toMatchObject({ namespace: 'foo', resource: 'namespaces/status', role: VIEWER });
    const admin = holder(ADMIN, MIN_WRITE_STAKE);
    const fx2 = admin.env.chain.call(USER, 'request::submit', admin.env.submitArgs(admin.token, { method: 'PUT', path: '/api/v1/namespaces/foo/finalize' }));
    expect(fx2.events[0].data).toMatchObject({ namespace: 'foo', resource: 'namespaces/finalize', role: ADMIN });
  });

  it('validates method, path, reply key, digest, body size in that order (request::validate / concat)', () => {
    const { env, token } = holder(ADMIN);
    const big = [new Uint8Array(MAX_INLINE_BODY), new Uint8Array(1)];
    const all = { method: 'OPTIONS', path: 'x', reply_key: new Uint8Array(31), body_digest: new Uint8Array(33), body: big };
    const steps: Array<[string, Record<string, unknown>]> = [
      ['EInvalidMethod', all],
      ['EInvalidPath', { ...all, method: 'GET' }],
      ['EInvalidReplyKey', { ...all, method: 'GET', path: '/version' }],
      ['EInvalidDigest', { ...all, method: 'GET', path: '/version', reply_key: REPLY_KEY }],
      ['EBodyTooLarge', { ...all, method: 'GET', path: '/version', reply_key: REPLY_KEY, body_digest: REQUEST_DIGEST }],
    ];
    for (const [name, over] of steps) {
      expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(token, over)), 'request', name === 'EBodyTooLarge' ? 'concat' : 'validate', name);
    }
    // exactly MAX_INLINE_BODY is fine; a query string is not a path
    env.chain.call(USER, 'request::submit', env.submitArgs(token, { body: [new Uint8Array(MAX_INLINE_BODY)] }));
    expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(token, { path: '/api/v1/pods?watch=1' })), 'request', 'validate', 'EInvalidPath');
    expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(token, { path: '/' + 'a'.repeat(1024) })), 'request', 'validate', 'EInvalidPath');
    expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(token, { method: 'get' })), 'request', 'validate', 'EInvalidMethod');
  });

  it('refuses paths the enclave host would resolve or rewrite (EInvalidPath, before authorization)', () => {
    const { env, token } = holder(ADMIN, MIN_WRITE_STAKE);
    for (const path of [
      '/version/../api/v1/secrets',
      '/api/v1/./pods',
      '//10.0.0.7/pods',
      '//10.0.0.7:10250/pods',
      '/api/v1/pods/',
      '/api/v1/namespaces/default/pods/%2e%2e/secrets',
      '/api/v1/namespaces/default/pods/../../../namespaces/victim',
      '/api/v1/pods\\..\\secrets',
      '/api/v1/pods/a b',
      '/api/v1/pods#x',
      '/api/v1/pods/x\n',
      '/api/v1/namespaces/default/pods/café',
    ]) {
      expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(token, { path })), 'request', 'validate', 'EInvalidPath');
    }
    for (const path of [
      '/',
      '/version',
      '/api/v1/namespaces/default/services/web:80/proxy',
      '/api/v1/namespaces/kube-system/pods/coredns-5d.x_y~z/log',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:aggregate-to-edit',
      "/api/v1/namespaces/a/configmaps/!$&'()*+,;=:@",
    ]) {
      env.chain.call(USER, 'request::submit', env.submitArgs(token, { path }));
    }
  });

  it('aborts access::EWrongCluster for a token of another cluster (after validation)', () => {
    const { env } = holder(ADMIN);
    const id = '0x' + '77'.repeat(32);
    env.chain.put({
      id,
      type: env.chain.typeOf('access', 'SealToken'),
      contents: bcsForStruct('access', 'SealToken').serialize({ id, cluster_id: '0x' + '55'.repeat(32), namespace: '' }).toBytes(),
      owner: { $kind: 'AddressOwner', address: USER },
    });
    expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(id)), 'access', 'assert_cluster_id', 'EWrongCluster');
    expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(id, { method: 'BAD' })), 'request', 'validate', 'EInvalidMethod');
  });

  it('aborts access::EUnknownToken in access::authorize for a token of this cluster without a stake', () => {
    const { env } = holder(ADMIN);
    const id = '0x' + '78'.repeat(32);
    env.chain.put({
      id,
      type: env.chain.typeOf('access', 'SealToken'),
      contents: bcsForStruct('access', 'SealToken').serialize({ id, cluster_id: env.clusterId, namespace: '' }).toBytes(),
      owner: { $kind: 'AddressOwner', address: USER },
    });
    expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(id)), 'access', 'authorize', 'EUnknownToken');
  });

  it('applies the role rules (access::authorize)', () => {
    const cases: Array<[number, bigint, string, string, string]> = [
      [VIEWER, 1_000n, 'POST', '/api/v1/namespaces/default/pods', 'ERoleCannotWrite'],
      [VIEWER, 1_000n, 'GET', '/api/v1/namespaces/default/secrets/db', 'ERoleCannotReadSecrets'],
      [VIEWER, 1_000n, 'GET', '/api/v1/secrets', 'ERoleCannotReadSecrets'],
      [EDITOR, 1_000n, 'POST', '/version', 'ERoleCannotWrite'],
      [EDITOR, 1_000n, 'DELETE', '/api/v1/nodes/n1', 'ERoleCannotWriteClusterScoped'],
      [EDITOR, 1_000n, 'DELETE', '/api/v1/namespaces/foo', 'ERoleCannotWriteClusterScoped'],
      [EDITOR, 1_000n, 'PATCH', '/api/v1/namespaces/foo', 'ERoleCannotWriteClusterScoped'],
      [EDITOR, 1_000n, 'PUT', '/api/v1/namespaces/foo/finalize', 'ERoleCannotWriteClusterScoped'],
      [EDITOR, 1_000n, 'PUT', '/api/v1/namespaces/foo/status', 'ERoleCannotWriteClusterScoped'],
      [EDITOR, 1_000n, 'POST', '/api/v1/namespaces', 'ERoleCannotWriteClusterScoped'],
      [VIEWER, 1_000n, 'PUT', '/api/v1/namespaces/foo/finalize', 'ERoleCannotWrite'],
      [ADMIN, MIN_WRITE_STAKE - 1n, 'POST', '/api/v1/nodes', 'EInsufficientWriteStake'],
      [VIEWER, 1_000n, 'GET', '/api/v1/nodes/n1/proxy/metrics', 'ERoleCannotProxy'],
      [VIEWER, 1_000n, 'GET', '/api/v1/namespaces/default/services/web:80/proxy', 'ERoleCannotProxy'],
      [VIEWER, 1_000n, 'HEAD', '/api/v1/namespaces/default/pods/p/proxy/a/b', 'ERoleCannotProxy'],
      [VIEWER, 1_000n, 'GET', '/api/v1/namespaces/default/secrets/s/proxy', 'ERoleCannotReadSecrets'],
      [VIEWER, 1_000n, 'POST', '/api/v1/namespaces/default/pods/p/proxy', 'ERoleCannotWrite'],
      [EDITOR, 1_000n, 'GET', '/api/v1/nodes/n1/proxy/pods', 'ERoleCannotProxy'],
      [EDITOR, 1_000n, 'POST', '/api/v1/nodes/n1:10250/proxy/run/default/p/c', 'ERoleCannotProxy'],
    ];
    for (const [role, amount, method, path, name] of cases) {
      const { env, token } = holder(role, amount);
      expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(token, { method, path })), 'access', 'authorize', name);
    }
    const ok: Array<[number, bigint, string, string]> = [
      [EDITOR, MIN_WRITE_STAKE, 'PATCH', '/apis/apps/v1/namespaces/prod/deployments/api'],
      [EDITOR, 100n, 'GET', '/api/v1/namespaces/default/secrets/db'],
      [EDITOR, MIN_WRITE_STAKE, 'POST', '/api/v1/namespaces/foo/configmaps'],
      [EDITOR, 100n, 'GET', '/api/v1/namespaces/foo'],
      [VIEWER, 100n, 'GET', '/api/v1/namespaces/foo/status'],
      [ADMIN, MIN_WRITE_STAKE, 'DELETE', '/api/v1/namespaces/foo'],
      [ADMIN, MIN_WRITE_STAKE, 'PUT', '/api/v1/namespaces/foo/finalize'],
      [ADMIN, MIN_WRITE_STAKE, 'PUT', '/version'],
      [ADMIN, 100n, 'GET', '/api/v1/secrets'],
      [VIEWER, 100n, 'GET', '/api/v1/namespaces/default/pods/proxy'],
      [EDITOR, 100n, 'GET', '/api/v1/namespaces/default/services/web:80/proxy'],
      [EDITOR, MIN_WRITE_STAKE, 'POST', '/api/v1/namespaces/default/pods/p/proxy/a/b'],
      [ADMIN, 100n, 'GET', '/api/v1/nodes/n1/proxy/metrics'],
      [ADMIN, MIN_WRITE_STAKE, 'POST', '/api/v1/nodes/n1/proxy/run/default/p/c'],
    ];
    for (const [role, amount, method, path] of ok) {
      const { env, token } = holder(role, amount);
      env.chain.call(USER, 'request::submit', env.submitArgs(token, { method, path }));
    }
  });

  it('uses the stake\'s current amount for the write threshold (after a slash)', () => {
    const { env, token } = holder(ADMIN, MIN_WRITE_STAKE);
    env.chain.call(USER, 'request::submit', env.submitArgs(token, { method: 'DELETE', path: '/api/v1/nodes/n1' }));
    env.chain.call(OPERATOR, 'access::slash', { cap: env.capId, cluster: env.clusterId, token_id: token, amount: 1n, reason: 2 });
    expectAbort(
      env.chain.abort(USER, 'request::submit', env.submitArgs(token, { method: 'DELETE', path: '/api/v1/nodes/n1' })),
      'access',
      'authorize',
      'EInsufficientWriteStake',
    );
  });
});

describe('request::submit_via_gateway', () => {
  it('submits for the credential signer with gateway = sender', async () => {
    const { env, token } = holder(EDITOR);
    const fx = env.chain.call(GATEWAY, 'request::submit_via_gateway', await viaGateway(env, token, { method: 'DELETE', path: '/api/v1/namespaces/dev/pods/x' }));
    expect(fx.mutated).toEqual([env.clusterId]); // the fee escrow
    const req = fx.created[0];
    expect(req.owner).toEqual({ $kind: 'Shared' });
    expect(env.read(req.id)).toMatchObject({ requester: USER, gateway: GATEWAY, token_id: token, method: 'DELETE' });
    expect(fx.events[0].name).toBe('RequestSubmitted');
    expect(fx.events[0].data).toMatchObject({ requester: USER, gateway: GATEWAY, token_id: token, role: EDITOR, namespace: 'dev', resource: 'pods' });
  });

  it('validates before the gateway checks', async () => {
    const { env, token } = holder(EDITOR);
    expectAbort(env.chain.abort(OTHER, 'request::submit_via_gateway', await viaGateway(env, token, { method: 'X' })), 'request', 'validate', 'EInvalidMethod');
  });

  it('aborts EGatewayNotRegistered when the sender is not a gateway of the cluster', async () => {
    const { env, token } = holder(EDITOR);
    expectAbort(env.chain.abort(OTHER, 'request::submit_via_gateway', await viaGateway(env, token)), 'request', 'submit_via_gateway', 'EGatewayNotRegistered');
    env.chain.call(OPERATOR, 'cluster::remove_gateway', { cap: env.capId, cluster: env.clusterId, gateway: GATEWAY });
    expectAbort(env.chain.abort(GATEWAY, 'request::submit_via_gateway', await viaGateway(env, token)), 'request', 'submit_via_gateway', 'EGatewayNotRegistered');
  });

  it('aborts credential::* for bad credentials', async () => {
    const { env, token } = holder(EDITOR);
    const args = await viaGateway(env, token);
    const sig = (args.signature as Uint8Array).slice();
    sig[10] ^= 0x80;
    expectAbort(env.chain.abort(GATEWAY, 'request::submit_via_gateway', { ...args, signature: sig }), 'credential', 'verify', 'EInvalidSignature');
    expectAbort(env.chain.abort(GATEWAY, 'request::submit_via_gateway', { ...args, credential: new Uint8Array(3) }), 'credential', 'decode', 'EMalformedCredential');
    sig[0] = 2;
    expectAbort(env.chain.abort(GATEWAY, 'request::submit_via_gateway', { ...args, signature: sig }), 'credential', 'verify', 'EUnsupportedScheme');
    env.chain.clockMs = T0 + 3_600_001n;
    expectAbort(env.chain.abort(GATEWAY, 'request::submit_via_gateway', args), 'credential', 'verify', 'EExpired');
  });

  it('aborts EWrongGateway when the credential names another gateway', async () => {
    const { env, token } = holder(EDITOR);
    env.chain.call(OPERATOR, 'cluster::register_gateway', { cap: env.capId, cluster: env.clusterId, gateway: G2 });
    expectAbort(env.chain.abort(G2, 'request::submit_via_gateway', await viaGateway(env, token)), 'request', 'submit_via_gateway', 'EWrongGateway');
  });

  it('aborts access::EWrongCluster for a credential of another cluster', async () => {
    const { env, token } = holder(EDITOR);
    expectAbort(
      env.chain.abort(GATEWAY, 'request::submit_via_gateway', await viaGateway(env, token, {}, { cluster_id: '0x' + '55'.repeat(32) })),
      'access',
      'assert_cluster_id',
      'EWrongCluster',
    );
  });

  it('aborts access::EUnknownToken / ENotTokenOwner unless the signer staked for the token', async () => {
    const { env, token } = holder(EDITOR);
    expectAbort(
      env.chain.abort(GATEWAY, 'request::submit_via_gateway', await viaGateway(env, token, {}, { token_id: '0x' + '66'.repeat(32) })),
      'access',
      'assert_token_owner',
      'EUnknownToken',
    );
    expectAbort(
      env.chain.abort(GATEWAY, 'request::submit_via_gateway', await viaGateway(env, token, {}, {}, Ed25519Keypair.generate())),
      'access',
      'assert_token_owner',
      'ENotTokenOwner',
    );
  });

  it('applies the role rules of the token', async () => {
    const { env, token } = holder(VIEWER);
    expectAbort(
      env.chain.abort(GATEWAY, 'request::submit_via_gateway', await viaGateway(env, token, { path: '/api/v1/namespaces/a/secrets' })),
      'access',
      'authorize',
      'ERoleCannotReadSecrets',
    );
  });
});

describe('request::respond', () => {
  it('verifies the enclave signature, deletes the Request and emits ResponseStored', () => {
    const { env, token } = holder(VIEWER);
    const requestId = env.submit(USER, token);
    env.chain.clockMs += 1_234n;
    const args = env.respondArgs(requestId, { timestamp_ms: env.chain.clockMs - 5n });
    const fx = env.chain.call(OTHER, 'request::respond', args);
    expect(fx.deleted).toEqual([requestId]);
    expect(fx.created).toEqual([]);
    expect(fx.mutated).toEqual([env.clusterId]); // the fee goes to the revenue
    expect(env.chain.has(requestId)).toBe(false);
    expect(fx.events).toHaveLength(1);
    expect(fx.events[0].type).toBe(env.chain.typeOf('request', 'ResponseStored'));
    expect(fx.events[0].data).toEqual({
      request_id: requestId,
      cluster_id: env.clusterId,
      requester: USER,
      status: 200,
      body_digest: RESPONSE_DIGEST,
      body_size: '2',
      body: new Uint8Array([1, 2]),
      body_blob: '',
      timestamp_ms: String(T0 + 1_234n - 5n),
      signature: args.signature,
      latency_ms: '1234',
      fee: '0',
    });
    // answered at most once: the object is gone
    expect(() => env.chain.call(OTHER, 'request::respond', args)).toThrow(/no object/);
  });

  it('accepts a response exactly at the deadline', () => {
    const { env, token } = holder(VIEWER);
    const requestId = env.submit(USER, token);
    env.chain.clockMs += REQUEST_TIMEOUT_MS;
    env.chain.call(OTHER, 'request::respond', env.respondArgs(requestId));
  });

  it('aborts EWrongClusterRequest for a request of another cluster (first)', () => {
    const a = holder(VIEWER);
    const requestId = a.env.submit(USER, a.token);
    const b = TestEnv.setup();
    b.chain.put(a.env.chain.get(requestId));
    const args = { ...a.env.respondArgs(requestId), cluster: b.clusterId, body_digest: new Uint8Array(1) };
    b.chain.clockMs += REQUEST_TIMEOUT_MS + 1n;
    expectAbort(b.chain.abort(OTHER, 'request::respond', args), 'request', 'respond', 'EWrongClusterRequest');
  });

  it('aborts EDeadlinePassed after the deadline (before the digest check)', () => {
    const { env, token } = holder(VIEWER);
    const requestId = env.submit(USER, token);
    const args = env.respondArgs(requestId);
    env.chain.clockMs += REQUEST_TIMEOUT_MS + 1n;
    expectAbort(env.chain.abort(OTHER, 'request::respond', { ...args, body_digest: new Uint8Array(1) }), 'request', 'respond', 'EDeadlinePassed');
  });

  it('aborts EInvalidDigest and EBodyTooLarge (request::concat) before the signature check', () => {
    const { env, token } = holder(VIEWER);
    const requestId = env.submit(USER, token);
    const args = env.respondArgs(requestId);
    expectAbort(
      env.chain.abort(OTHER, 'request::respond', { ...args, body_digest: new Uint8Array(31), body: [new Uint8Array(MAX_INLINE_BODY + 1)] }),
      'request',
      'respond',
      'EInvalidDigest',
    );
    expectAbort(
      env.chain.abort(OTHER, 'request::respond', { ...args, body: [new Uint8Array(MAX_INLINE_BODY), new Uint8Array(1)], signature: new Uint8Array(64) }),
      'request',
      'concat',
      'EBodyTooLarge',
    );
  });

  it('aborts enclave::EInvalidSignature for a wrong key, status or digest', () => {
    const { env, token } = holder(VIEWER);
    const requestId = env.submit(USER, token);
    const args = env.respondArgs(requestId);
    expectAbort(env.chain.abort(OTHER, 'request::respond', { ...args, status: 500 }), 'enclave', 'verify', 'EInvalidSignature');
    expectAbort(env.chain.abort(OTHER, 'request::respond', env.respondArgs(requestId, { secret: new Uint8Array(32).fill(5) })), 'enclave', 'verify', 'EInvalidSignature');
    expectAbort(env.chain.abort(OTHER, 'request::respond', { ...args, body_digest: new Uint8Array(32) }), 'enclave', 'verify', 'EInvalidSignature');
  });

  it('aborts enclave::EStaleTimestamp for an old or future timestamp', () => {
    const { env, token } = holder(VIEWER);
    const requestId = env.submit(USER, token);
    expectAbort(env.chain.abort(OTHER, 'request::respond', env.respondArgs(requestId, { timestamp_ms: T0 - 60_001n })), 'enclave', 'assert_fresh', 'EStaleTimestamp');
    expectAbort(env.chain.abort(OTHER, 'request::respond', env.respondArgs(requestId, { timestamp_ms: T0 + 10_001n })), 'enclave', 'assert_fresh', 'EStaleTimestamp');
  });

  it('aborts enclave::ENoEnclave on a cluster without an enclave key', () => {
    const env = TestEnv.create(true);
    const token = env.stake(USER, VIEWER, 1_000n);
    const requestId = env.submit(USER, token);
    expectAbort(env.chain.abort(OTHER, 'request::respond', env.respondArgs(requestId)), 'enclave', 'verify', 'ENoEnclave');
  });
});

describe('fees', () => {
  /** A cluster charging 3 per read and 5 per write; USER's tenant token of `team-a` with `prepaid`. */
  function paying(prepaid: bigint) {
    const env = TestEnv.setup();
    env.chain.call(OPERATOR, 'cluster::set_fees', { cap: env.capId, cluster: env.clusterId, read_fee: 3n, write_fee: 5n });
    const token = env.stakeTenant(USER, 1_000n, 'team-a');
    if (prepaid > 0n) env.chain.call(USER, 'access::topup', { cluster: env.clusterId, token_id: token, payment: env.chain.mintCoin(USER, prepaid) });
    return { env, token };
  }
  const stake = (env: TestEnv, token: string) =>
    bcsForStruct('cluster', 'Stake').parse(env.chain.field(env.read(env.clusterId).stakes.id, idBytes(token))!);

  it('submit escrows the fee by method; N answered requests move exactly N x fee to the revenue', () => {
    const { env, token } = paying(3n * 3n + 5n);
    const path = '/api/v1/namespaces/team-a/pods';
    const reads = [0, 1, 2].map(() => env.submit(USER, token, { path }));
    const write = env.chain.call(USER, 'request::submit', env.submitArgs(token, { method: 'POST', path }));
    expect(write.events[0].data.fee).toBe('5');
    expect(env.read(write.created[0].id).fee).toEqual({ value: '5' });
    expect(stake(env, token).prepaid.value).toBe('0');
    for (const id of reads) env.chain.call(OTHER, 'request::respond', env.respondArgs(id));
    expect(env.read(env.clusterId).revenue.value).toBe('9');
    const w = env.chain.call(OPERATOR, 'cluster::withdraw_revenue', { cap: env.capId, cluster: env.clusterId });
    expect(env.chain.coinValue(w.created[0].id)).toBe(9n);
    expect(env.read(env.clusterId).revenue.value).toBe('0');
  });

  it('expire refunds the fee to the requester', () => {
    const { env, token } = paying(3n);
    const id = env.submit(USER, token, { path: '/api/v1/namespaces/team-a/pods' });
    env.chain.clockMs += REQUEST_TIMEOUT_MS + 1n;
    const fx = env.chain.call(OTHER, 'request::expire', { request: id });
    expect(fx.events[0].data.refund).toBe('3');
    expect(env.chain.coinValue(fx.created[0].id)).toBe(3n);
    expect(fx.created[0].owner).toEqual({ $kind: 'AddressOwner', address: USER });
    expect(env.read(env.clusterId).revenue.value).toBe('0');
  });

  it('aborts access::EInsufficientBalance (access::charge) after authorization, changing nothing', () => {
    const { env, token } = paying(4n);
    const path = '/api/v1/namespaces/team-a/pods';
    expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(token, { method: 'DELETE', path: `${path}/web` })), 'access', 'charge', 'EInsufficientBalance');
    expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(token, { method: 'DELETE', path: '/api/v1/nodes/n' })), 'access', 'authorize', 'ETenantClusterScoped');
    expect(stake(env, token).prepaid.value).toBe('4');
    env.submit(USER, token, { path }); // a read (3) fits
  });
});

describe('request::expire', () => {
  it('deletes an unanswered request after the deadline and emits RequestExpired', () => {
    const { env, token } = holder(VIEWER);
    const requestId = env.submit(USER, token);
    env.chain.clockMs += REQUEST_TIMEOUT_MS + 1n;
    const fx = env.chain.call(OTHER, 'request::expire', { request: requestId });
    expect(fx.deleted).toEqual([requestId]);
    expect(fx.events).toHaveLength(1);
    expect(fx.events[0].type).toBe(env.chain.typeOf('request', 'RequestExpired'));
    expect(fx.events[0].data).toEqual({ request_id: requestId, cluster_id: env.clusterId, requester: USER, deadline_ms: String(T0 + REQUEST_TIMEOUT_MS), refund: '0' });
    // a free request leaves no zero coin behind
    expect(fx.created).toEqual([]);
  });

  it('aborts EDeadlineNotReached up to the deadline', () => {
    const { env, token } = holder(VIEWER);
    const requestId = env.submit(USER, token);
    env.chain.clockMs += REQUEST_TIMEOUT_MS;
    expectAbort(env.chain.abort(OTHER, 'request::expire', { request: requestId }), 'request', 'expire', 'EDeadlineNotReached');
  });
});
