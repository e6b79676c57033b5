import { describe, expect, it } from 'vitest';
import { bcsForStruct } from '../../core/abi/bcs.js';
import { idBytes } from './common.js';
import { MIN_USER_STAKE, OPERATOR, OTHER, STAKE_LOCK_MS, T0, TestEnv, USER, expectAbort } from './testing.js';

const VIEWER = 0;
const EDITOR = 1;

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
  it('gives the sender a SealToken and keeps the stake in the cluster table; emits Staked', () => {
    const env = TestEnv.setup();
    const payment = env.chain.mintCoin(USER, 500n);
    const fx = env.chain.call(USER, 'access::stake', { cluster: env.clusterId, payment, role: EDITOR });
    expect(fx.deleted).toEqual([payment]);
    expect(fx.mutated).toEqual([env.clusterId]);
    expect(fx.created).toHaveLength(1);
    const token = fx.created[0];
    expect(token.type).toBe(env.chain.typeOf('access', 'SealToken'));
    expect(token.owner).toEqual({ $kind: 'AddressOwner', address: USER });
    expect(env.read(token.id)).toEqual({ id: token.id, cluster_id: env.clusterId, role: EDITOR });
    expect(fx.events).toHaveLength(1);
    expect(fx.events[0].type).toBe(env.chain.typeOf('access', 'Staked'));
    expect(fx.events[0].data).toEqual({
      cluster_id: env.clusterId,
      token_id: token.id,
      owner: USER,
      role: EDITOR,
      amount: '500',
      locked_until_ms: String(T0 + STAKE_LOCK_MS),
    });
    const stakes = env.read(env.clusterId).stakes;
    expect(stakes.size).toBe('1');
    expect(fx.fieldsSet).toEqual([`${stakes.id}/${Buffer.from(idBytes(token.id)).toString('hex')}`]);
    expect(stakeEntry(env, token.id)).toEqual({ owner: USER, role: EDITOR, balance: { value: '500' }, locked_until_ms: String(T0 + STAKE_LOCK_MS) });
    expect(env.chain.has(payment)).toBe(false);
  });

  it('aborts EInvalidRole for a role above admin (before the amount check)', () => {
    const env = TestEnv.setup();
    const payment = env.chain.mintCoin(USER, 1n);
    expectAbort(env.chain.abort(USER, 'access::stake', { cluster: env.clusterId, payment, role: 3 }), 'access', 'stake', 'EInvalidRole');
    expect(env.chain.has(payment)).toBe(true);
  });

  it('aborts EInsufficientStake below the minimum', () => {
    const env = TestEnv.setup();
    const payment = env.chain.mintCoin(USER, MIN_USER_STAKE - 1n);
    expectAbort(env.chain.abort(USER, 'access::stake', { cluster: env.clusterId, payment, role: VIEWER }), 'access', 'stake', 'EInsufficientStake');
    // exactly the minimum is enough
    env.stake(USER, VIEWER, MIN_USER_STAKE);
  });
});

describe('access::unstake', () => {
  it('after the lock returns the stake as a coin, deletes the token and the table entry; emits Unstaked', () => {
    const { env, token } = holder(VIEWER, 700n);
    env.chain.clockMs += STAKE_LOCK_MS;
    const fx = env.chain.call(USER, 'access::unstake', { cluster: env.clusterId, token });
    expect(fx.deleted).toEqual([token]);
    expect(fx.events.map((e) => e.name)).toEqual(['Unstaked']);
    expect(fx.events[0].data).toEqual({ cluster_id: env.clusterId, token_id: token, owner: USER, amount: '700' });
    const coins = fx.created;
    expect(coins).toHaveLength(1);
    expect(coins[0].type).toBe('0x2::coin::Coin<0x2::sui::SUI>');
    expect(coins[0].owner).toEqual({ $kind: 'AddressOwner', address: USER });
    expect(env.chain.coinValue(coins[0].id)).toBe(700n);
    expect(stakeEntry(env, token)).toBeUndefined();
    expect(fx.fieldsRemoved).toHaveLength(1);
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
      contents: bcsForStruct('access', 'SealToken').serialize({ id, cluster_id: env.clusterId, role: 0 }).toBytes(),
      owner: { $kind: 'AddressOwner', address: USER },
    });
    expectAbort(env.chain.abort(USER, 'access::unstake', { cluster: env.clusterId, token: id }), 'access', 'unstake', 'EUnknownToken');
  });
});

describe('access::slash', () => {
  it('moves up to the remaining stake to the cap holder; emits Slashed', () => {
    const { env, token } = holder(VIEWER, 700n);
    let fx = env.chain.call(OPERATOR, 'access::slash', { cap: env.capId, cluster: env.clusterId, token_id: token, amount: 300n });
    expect(fx.events[0]).toMatchObject({ name: 'Slashed', data: { cluster_id: env.clusterId, token_id: token, amount: '300' } });
    expect(fx.created[0].owner).toEqual({ $kind: 'AddressOwner', address: OPERATOR });
    expect(env.chain.coinValue(fx.created[0].id)).toBe(300n);
    expect(stakeEntry(env, token)!.balance.value).toBe('400');
    fx = env.chain.call(OPERATOR, 'access::slash', { cap: env.capId, cluster: env.clusterId, token_id: token, amount: 1_000n });
    expect(fx.events[0].data.amount).toBe('400');
    expect(stakeEntry(env, token)!.balance.value).toBe('0');
    const coins = env.chain.ownedBy(OPERATOR, '::coin::Coin<0x2::sui::SUI>');
    expect(coins.map((c) => env.chain.coinValue(c.id)).reduce((a, b) => a + b, 0n)).toBe(700n);
    // the token still exists and its entry stays (size unchanged)
    expect(env.read(env.clusterId).stakes.size).toBe('1');
  });

  it('aborts EUnknownToken for a token that never staked here', () => {
    const { env } = holder(VIEWER, 700n);
    expectAbort(
      env.chain.abort(OPERATOR, 'access::slash', { cap: env.capId, cluster: env.clusterId, token_id: '0x1234', amount: 1n }),
      'access',
      'slash',
      'EUnknownToken',
    );
  });

  it('aborts cluster::EWrongCap with another cluster\'s cap', () => {
    const { env, token } = holder(VIEWER, 700n);
    const other = TestEnv.create(true);
    const cap = other.chain.get(other.capId);
    env.chain.put({ ...cap, owner: { $kind: 'AddressOwner', address: OTHER } });
    expectAbort(
      env.chain.abort(OTHER, 'access::slash', { cap: other.capId, cluster: env.clusterId, token_id: token, amount: 1n }),
      'cluster',
      'assert_cap_for',
      'EWrongCap',
    );
  });
});
