import { describe, expect, it } from 'vitest';
import { bcsForStruct } from '../../core/abi/bcs.js';
import { idBytes } from './common.js';
import { MIN_USER_STAKE, OPERATOR, OTHER, STAKE_LOCK_MS, T0, TestEnv, USER, expectAbort } from './testing.js';

const VIEWER = 0;
const ADMIN = 2;
const TENANT = 3;

function holder(role: number, amount: bigint) {
  const env = TestEnv.setup();
  const token = env.stake(USER, role, amount);
  return { env, token };
}

function stakeEntry(env: TestEnv, token: string) {
  const raw = env.chain.field(env.read(env.clusterId).stakes.id, idBytes(token));
  return raw && bcsForStruct('cluster', 'Stake').parse(raw);
}

describe('access::stake', () => {
  it('gives the sender a tenant SealToken claiming the namespace; emits Staked and NamespaceClaimed', () => {
    const env = TestEnv.setup();
    const payment = env.chain.mintCoin(USER, 500n);
    const fx = env.chain.call(USER, 'access::stake', { cluster: env.clusterId, payment, namespace: 'team-a' });
    expect(fx.deleted).toEqual([payment]);
    expect(fx.mutated).toEqual([env.clusterId]);
    expect(fx.created).toHaveLength(1);
    const token = fx.created[0];
    expect(token.type).toBe(env.chain.typeOf('access', 'SealToken'));
    expect(token.owner).toEqual({ $kind: 'AddressOwner', address: USER });
    expect(env.read(token.id)).toEqual({ id: token.id, cluster_id: env.clusterId, namespace: 'team-a' });
    expect(fx.events.map((e) => e.name)).toEqual(['Staked', 'NamespaceClaimed']);
    expect(fx.events[0].type).toBe(env.chain.typeOf('access', 'Staked'));
    expect(fx.events[0].data).toEqual({
      cluster_id: env.clusterId,
      token_id: token.id,
      owner: USER,
      namespace: 'team-a',
      role: TENANT,
      amount: '500',
      locked_until_ms: String(T0 + STAKE_LOCK_MS),
    });
    expect(fx.events[1].data).toEqual({ cluster_id: env.clusterId, token_id: token.id, owner: USER, namespace: 'team-a' });
    const cluster = env.read(env.clusterId);
    expect(cluster.stakes.size).toBe('1');
    expect(cluster.namespaces.size).toBe('1');
    expect(fx.fieldsSet).toContain(`${cluster.stakes.id}/${Buffer.from(idBytes(token.id)).toString('hex')}`);
    expect(stakeEntry(env, token.id)).toEqual({
      owner: USER,
      role: TENANT,
      namespace: 'team-a',
      balance: { value: '500' },
      prepaid: { value: '0' },
      locked_until_ms: String(T0 + STAKE_LOCK_MS),
    });
    expect(env.chain.has(payment)).toBe(false);
  });

  it('aborts EInsufficientStake below the minimum (before the namespace checks)', () => {
    const env = TestEnv.setup();
    const payment = env.chain.mintCoin(USER, MIN_USER_STAKE - 1n);
    expectAbort(env.chain.abort(USER, 'access::stake', { cluster: env.clusterId, payment, namespace: 'Bad' }), 'access', 'stake', 'EInsufficientStake');
    expect(env.chain.has(payment)).toBe(true);
    // exactly the minimum is enough
    env.stakeTenant(USER, MIN_USER_STAKE, 'team-a');
  });

  it('claims only free DNS-1123 labels that are not reserved (access::assert_claimable); first claim wins', () => {
    const env = TestEnv.setup();
    const claim = (namespace: string, sender = USER) =>
      env.chain.abort(sender, 'access::stake', { cluster: env.clusterId, payment: env.chain.mintCoin(sender, MIN_USER_STAKE), namespace });
    for (const bad of ['', 'Team', '-a', 'a-', 'a.b', 'a_b', 'a'.repeat(64)]) expectAbort(claim(bad), 'access', 'assert_claimable', 'EInvalidNamespace');
    for (const reserved of ['default', 'kube-system', 'kube-public', 'k3sdaas-system']) expectAbort(claim(reserved), 'access', 'assert_claimable', 'EReservedNamespace');
    env.stakeTenant(USER, MIN_USER_STAKE, 'team-a');
    expectAbort(claim('team-a', OTHER), 'access', 'assert_claimable', 'ENamespaceTaken');
    env.chain.call(OPERATOR, 'access::reserve_namespace', { cap: env.capId, cluster: env.clusterId, namespace: 'ops' });
    expectAbort(claim('ops', OTHER), 'access', 'assert_claimable', 'EReservedNamespace');
    for (const ok of ['a', 'kube', 'k3sdaas', 'defaults', 'a'.repeat(63)]) env.stakeTenant(OTHER, MIN_USER_STAKE, ok);
  });
});

describe('access::stake_granted, grant, revoke, reserve_namespace', () => {
  it('stake_granted gives the cap holder a role token without a namespace; emits Staked and RoleGranted', () => {
    const env = TestEnv.setup();
    const payment = env.chain.mintCoin(OPERATOR, 500n);
    const fx = env.chain.call(OPERATOR, 'access::stake_granted', { cap: env.capId, cluster: env.clusterId, payment, role: ADMIN });
    const token = fx.created[0].id;
    expect(env.read(token)).toEqual({ id: token, cluster_id: env.clusterId, namespace: '' });
    expect(fx.events.map((e) => e.name)).toEqual(['Staked', 'RoleGranted']);
    expect(fx.events[1].data).toEqual({ cluster_id: env.clusterId, token_id: token, role: ADMIN });
    expect(stakeEntry(env, token)).toMatchObject({ owner: OPERATOR, role: ADMIN, namespace: '' });
    expect(env.read(env.clusterId).namespaces.size).toBe('0');
  });

  it('stake_granted aborts EWrongCap, EInvalidRole, EInsufficientStake in that order', () => {
    const env = TestEnv.setup();
    const other = TestEnv.create(true);
    env.chain.put({ ...other.chain.get(other.capId), owner: { $kind: 'AddressOwner', address: OPERATOR } });
    const args = (cap: string, role: number, amount: bigint) => ({ cap, cluster: env.clusterId, payment: env.chain.mintCoin(OPERATOR, amount), role });
    expectAbort(env.chain.abort(OPERATOR, 'access::stake_granted', args(other.capId, TENANT, 1n)), 'cluster', 'assert_cap_for', 'EWrongCap');
    expectAbort(env.chain.abort(OPERATOR, 'access::stake_granted', args(env.capId, TENANT, 1n)), 'access', 'stake_granted', 'EInvalidRole');
    expectAbort(env.chain.abort(OPERATOR, 'access::stake_granted', args(env.capId, ADMIN, MIN_USER_STAKE - 1n)), 'access', 'stake_granted', 'EInsufficientStake');
  });

  it('grant and revoke change the role in the stake entry; each emits its event', () => {
    const env = TestEnv.setup();
    const token = env.stakeTenant(USER, 500n, 'team-a');
    let fx = env.chain.call(OPERATOR, 'access::grant', { cap: env.capId, cluster: env.clusterId, token_id: token, role: ADMIN });
    expect(fx.events[0]).toMatchObject({ name: 'RoleGranted', data: { cluster_id: env.clusterId, token_id: token, role: ADMIN } });
    expect(stakeEntry(env, token)!.role).toBe(ADMIN);
    fx = env.chain.call(OPERATOR, 'access::revoke', { cap: env.capId, cluster: env.clusterId, token_id: token });
    expect(fx.events[0]).toMatchObject({ name: 'RoleRevoked', data: { cluster_id: env.clusterId, token_id: token, role: ADMIN } });
    expect(stakeEntry(env, token)!.role).toBe(TENANT);
    // The token itself never changes.
    expect(env.read(token)).toEqual({ id: token, cluster_id: env.clusterId, namespace: 'team-a' });
  });

  it('grant aborts EWrongCap, EInvalidRole, EUnknownToken; revoke EWrongCap, EUnknownToken, ENoRole', () => {
    const env = TestEnv.setup();
    const token = env.stakeTenant(USER, 500n, 'team-a');
    const other = TestEnv.create(true);
    env.chain.put({ ...other.chain.get(other.capId), owner: { $kind: 'AddressOwner', address: OPERATOR } });
    const nowhere = '0x' + '12'.repeat(32);
    const grant = (cap: string, token_id: string, role: number) => env.chain.abort(OPERATOR, 'access::grant', { cap, cluster: env.clusterId, token_id, role });
    expectAbort(grant(other.capId, token, TENANT), 'cluster', 'assert_cap_for', 'EWrongCap');
    expectAbort(grant(env.capId, nowhere, TENANT), 'access', 'grant', 'EInvalidRole');
    expectAbort(grant(env.capId, nowhere, VIEWER), 'access', 'grant', 'EUnknownToken');
    const revoke = (cap: string, token_id: string) => env.chain.abort(OPERATOR, 'access::revoke', { cap, cluster: env.clusterId, token_id });
    expectAbort(revoke(other.capId, token), 'cluster', 'assert_cap_for', 'EWrongCap');
    expectAbort(revoke(env.capId, nowhere), 'access', 'revoke', 'EUnknownToken');
    expectAbort(revoke(env.capId, token), 'access', 'revoke', 'ENoRole');
  });

  it('reserve_namespace emits NamespaceReserved; aborts EWrongCap, EInvalidNamespace, ENamespaceTaken', () => {
    const env = TestEnv.setup();
    env.stakeTenant(USER, 500n, 'team-a');
    const other = TestEnv.create(true);
    env.chain.put({ ...other.chain.get(other.capId), owner: { $kind: 'AddressOwner', address: OPERATOR } });
    const reserve = (cap: string, namespace: string) => env.chain.abort(OPERATOR, 'access::reserve_namespace', { cap, cluster: env.clusterId, namespace });
    expectAbort(reserve(other.capId, 'ops'), 'cluster', 'assert_cap_for', 'EWrongCap');
    expectAbort(reserve(env.capId, 'Ops'), 'access', 'reserve_namespace', 'EInvalidNamespace');
    expectAbort(reserve(env.capId, 'team-a'), 'access', 'reserve_namespace', 'ENamespaceTaken');
    const fx = env.chain.call(OPERATOR, 'access::reserve_namespace', { cap: env.capId, cluster: env.clusterId, namespace: 'ops' });
    expect(fx.events[0]).toMatchObject({ name: 'NamespaceReserved', data: { cluster_id: env.clusterId, namespace: 'ops' } });
  });
});

describe('access::topup', () => {
  it('adds to the prepaid fees (anyone may pay); unstake returns them with the stake', () => {
    const env = TestEnv.setup();
    const token = env.stakeTenant(USER, 700n, 'team-a');
    const fx = env.chain.call(OTHER, 'access::topup', { cluster: env.clusterId, token_id: token, payment: env.chain.mintCoin(OTHER, 50n) });
    expect(fx.events[0]).toMatchObject({ name: 'ToppedUp', data: { cluster_id: env.clusterId, token_id: token, amount: '50', prepaid: '50' } });
    expect(stakeEntry(env, token)!.prepaid.value).toBe('50');
    env.chain.clockMs += STAKE_LOCK_MS;
    const un = env.chain.call(USER, 'access::unstake', { cluster: env.clusterId, token });
    expect(un.events.map((e) => e.name)).toEqual(['NamespaceReleased', 'Unstaked']);
    expect(un.events[1].data).toEqual({ cluster_id: env.clusterId, token_id: token, owner: USER, amount: '700', prepaid: '50' });
    expect(env.chain.coinValue(un.created[0].id)).toBe(750n);
    expect(env.read(env.clusterId).namespaces.size).toBe('0');
    env.stakeTenant(OTHER, 700n, 'team-a'); // the name is free again
  });

  it('aborts EUnknownToken', () => {
    const env = TestEnv.setup();
    expectAbort(env.chain.abort(USER, 'access::topup', { cluster: env.clusterId, token_id: '0x1234', payment: env.chain.mintCoin(USER, 1n) }), 'access', 'topup', 'EUnknownToken');
  });
});

describe('access::unstake', () => {
  it('after the lock returns the stake as a coin, deletes the token and the table entry; emits Unstaked', () => {
    const { env, token } = holder(VIEWER, 700n);
    env.chain.clockMs += STAKE_LOCK_MS;
    const fx = env.chain.call(USER, 'access::unstake', { cluster: env.clusterId, token });
    expect(fx.deleted).toEqual([token]);
    expect(fx.events.map((e) => e.name)).toEqual(['NamespaceReleased', 'Unstaked']);
    expect(fx.events[1].data).toEqual({ cluster_id: env.clusterId, token_id: token, owner: USER, amount: '700', prepaid: '0' });
    const coins = fx.created;
    expect(coins).toHaveLength(1);
    expect(coins[0].type).toBe('0x2::coin::Coin<0x2::sui::SUI>');
    expect(coins[0].owner).toEqual({ $kind: 'AddressOwner', address: USER });
    expect(env.chain.coinValue(coins[0].id)).toBe(700n);
    expect(stakeEntry(env, token)).toBeUndefined();
    expect(fx.fieldsRemoved).toHaveLength(2); // the stake entry and the namespace claim
    expect(env.read(env.clusterId).stakes.size).toBe('0');
    expect(env.chain.ownedBy(USER, '::access::SealToken')).toEqual([]);
  });

  it('aborts EStakeLocked before the lock has passed', () => {
    const { env, token } = holder(VIEWER, 700n);
    env.chain.clockMs += STAKE_LOCK_MS - 1n;
    expectAbort(env.chain.abort(USER, 'access::unstake', { cluster: env.clusterId, token }), 'access', 'unstake', 'EStakeLocked');
  });

  it('aborts EWrongCluster (access::assert_cluster_id) on another cluster', () => {
    const { env, token } = holder(VIEWER, 700n);
    const other = TestEnv.create(true);
    env.chain.put(other.chain.get(other.clusterId));
    env.chain.clockMs += STAKE_LOCK_MS;
    expectAbort(env.chain.abort(USER, 'access::unstake', { cluster: other.clusterId, token }), 'access', 'assert_cluster_id', 'EWrongCluster');
  });

  it('aborts EUnknownToken for a token without a stake entry', () => {
    const env = TestEnv.setup();
    const id = '0x' + '99'.repeat(32);
    env.chain.put({
      id,
      type: env.chain.typeOf('access', 'SealToken'),
      contents: bcsForStruct('access', 'SealToken').serialize({ id, cluster_id: env.clusterId, namespace: '' }).toBytes(),
      owner: { $kind: 'AddressOwner', address: USER },
    });
    expectAbort(env.chain.abort(USER, 'access::unstake', { cluster: env.clusterId, token: id }), 'access', 'unstake', 'EUnknownToken');
  });
});

describe('access::slash', () => {
  it('moves at most max_slash_bps of the stake to the treasury, naming a reason; emits Slashed', () => {
    const { env, token } = holder(VIEWER, 700n);
    let fx = env.chain.call(OPERATOR, 'access::slash', { cap: env.capId, cluster: env.clusterId, token_id: token, amount: 350n, reason: 2 });
    expect(fx.events[0]).toMatchObject({ name: 'Slashed', data: { cluster_id: env.clusterId, token_id: token, amount: '350', reason: 2, remaining: '350' } });
    expect(fx.created).toEqual([]);
    expect(stakeEntry(env, token)!.balance.value).toBe('350');
    expectAbort(
      env.chain.abort(OPERATOR, 'access::slash', { cap: env.capId, cluster: env.clusterId, token_id: token, amount: 176n, reason: 2 }),
      'cluster',
      'assert_slash',
      'ESlashTooLarge',
    );
    fx = env.chain.call(OPERATOR, 'access::slash', { cap: env.capId, cluster: env.clusterId, token_id: token, amount: 175n, reason: 5 });
    expect(env.read(env.clusterId).treasury.value).toBe('525');
    const w = env.chain.call(OPERATOR, 'cluster::withdraw_treasury', { cap: env.capId, cluster: env.clusterId });
    expect(w.events[0]).toMatchObject({ name: 'TreasuryWithdrawn', data: { cluster_id: env.clusterId, recipient: OPERATOR, amount: '525' } });
    expect(env.chain.coinValue(w.created[0].id)).toBe(525n);
    // the token still exists and its entry stays (size unchanged)
    expect(env.read(env.clusterId).stakes.size).toBe('1');
  });

  it('aborts EUnknownToken, then EInvalidSlashReason (0 or above 5), then ESlashTooLarge', () => {
    const { env, token } = holder(VIEWER, 700n);
    const slash = (token_id: string, amount: bigint, reason: number) =>
      env.chain.abort(OPERATOR, 'access::slash', { cap: env.capId, cluster: env.clusterId, token_id, amount, reason });
    expectAbort(slash('0x1234', 1_000n, 0), 'access', 'slash', 'EUnknownToken');
    expectAbort(slash(token, 1_000n, 0), 'cluster', 'assert_slash', 'EInvalidSlashReason');
    expectAbort(slash(token, 1n, 6), 'cluster', 'assert_slash', 'EInvalidSlashReason');
    expectAbort(slash(token, 351n, 1), 'cluster', 'assert_slash', 'ESlashTooLarge');
  });

  it('aborts cluster::EWrongCap with another cluster\'s cap', () => {
    const { env, token } = holder(VIEWER, 700n);
    const other = TestEnv.create(true);
    const cap = other.chain.get(other.capId);
    env.chain.put({ ...cap, owner: { $kind: 'AddressOwner', address: OTHER } });
    expectAbort(
      env.chain.abort(OTHER, 'access::slash', { cap: other.capId, cluster: env.clusterId, token_id: token, amount: 1n, reason: 1 }),
      'cluster',
      'assert_cap_for',
      'EWrongCap',
    );
    expectAbort(env.chain.abort(OTHER, 'cluster::withdraw_treasury', { cap: other.capId, cluster: env.clusterId }), 'cluster', 'assert_cap_for', 'EWrongCap');
  });
});
