import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectContent } from '../src/core/chain/index.js';
import { DEV_ACCOUNTS } from '../src/localnet/index.js';
import { cliEnv, startWorkerTestbed, type WorkerTestbed } from '../src/worker/testing.js';
import { runCli } from './helpers/cli.js';

const LOCK_MS = 20_000n;
const ACCOUNT = 2;
let tb: WorkerTestbed;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  tb = await startWorkerTestbed({ stakeLockMs: LOCK_MS });
  env = cliEnv(tb, ACCOUNT, mkdtempSync(join(tmpdir(), 'k3sdaas-stake-')));
});
afterAll(async () => tb?.stop());

const cli = (...args: string[]) => runCli(args, { env });
const balance = async () => BigInt((await tb.client.core.getBalance({ owner: DEV_ACCOUNTS[ACCOUNT].address })).balance.balance);

describe('k3sdaas stake', () => {
  it('add → list → remove refused while locked → remove after the lock returns the SUI', async () => {
    const added = await cli('stake', 'add', '1.5SUI', '--cluster', tb.clusterId, '--namespace', 'team-a', '--json');
    expect(added.code, added.stderr).toBe(0);
    const token = JSON.parse(added.stdout);
    expect(token).toMatchObject({ clusterId: tb.clusterId, namespace: 'team-a', role: 'tenant', amount: '1.5 SUI', amountMist: '1500000000' });
    const lockedUntil = Number(token.lockedUntilMs);
    expect(lockedUntil).toBeGreaterThan(Date.now());

    const txs = tb.localnet.chain.transactions.size;
    const early = await cli('stake', 'remove', token.tokenId);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/is locked until .*; remove it after that/);
    expect(tb.localnet.chain.transactions.size).toBe(txs); // refused before sending
    expect(await objectContent(tb.client, token.tokenId)).not.toBeNull();

    const human = await cli('stake', 'add', '200000000', '--cluster', tb.clusterId, '--namespace', 'team-b');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/staked 0\.2 SUI as tenant of namespace team-b on cluster workers-test/);
    expect(human.stdout).toMatch(/locked until .* \(\d+s left\)/);

    const list = await cli('stake', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.tokenId === token.tokenId)).toMatchObject({ namespace: 'team-a', amount: '1.5 SUI', locked: true, lockedUntilMs: token.lockedUntilMs });
    const listed = await cli('stake', 'list', '--cluster', tb.clusterId);
    expect(listed.stdout).toContain(token.tokenId);
    expect(listed.stdout).toMatch(/team-a\s+1\.5 SUI/);
    expect(listed.stdout).toMatch(/team-b\s+0\.2 SUI/);

    await new Promise((r) => setTimeout(r, Math.max(0, lockedUntil - Date.now()) + 200));
    const before = await balance();
    const removed = await cli('stake', 'remove', token.tokenId, '--json');
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ tokenId: token.tokenId, returned: '1.5 SUI', returnedMist: '1500000000' });
    const gained = (await balance()) - before;
    expect(gained).toBeGreaterThan(1_400_000_000n); // 1.5 SUI back, minus gas
    expect(gained).toBeLessThan(1_510_000_000n); // (deleting the token earns a small storage rebate)
    expect(await objectContent(tb.client, token.tokenId)).toBeNull();

    const after = JSON.parse((await cli('stake', 'list', '--json')).stdout) as Array<{ tokenId: string }>;
    expect(after.map((r) => r.tokenId)).not.toContain(token.tokenId);
  });

  it('refuses bad input with a clear error before sending anything', async () => {
    const txs = tb.localnet.chain.transactions.size;
    const unknown = '0x' + 'ab'.repeat(32);
    const cases: Array<[string[], RegExp]> = [
      [['stake', 'add', '1SUI', '--cluster', unknown, '--namespace', 'team-c'], /unknown cluster 0xabab.*check --cluster and --network/],
      [['stake', 'add', '0.01SUI', '--cluster', tb.clusterId, '--namespace', 'team-c'], /0\.01 SUI \(10000000 MIST\) is below the cluster's minimum stake of 0\.1 SUI/],
      [['stake', 'add', '6000SUI', '--cluster', tb.clusterId, '--namespace', 'team-c'], /holds \d+(\.\d+)? SUI, not enough to stake 6000 SUI/],
      [['stake', 'add', 'lots', '--cluster', tb.clusterId, '--namespace', 'team-c'], /invalid amount 'lots'/],
      [['stake', 'add', '1.5', '--cluster', tb.clusterId, '--namespace', 'team-c'], /did you mean 1\.5SUI/],
      [['stake', 'add', '1SUI', '--cluster', tb.clusterId, '--namespace', 'team-c', '--role', 'admin'], /roles are not bought: stake as a tenant with --namespace NAME/],
      [['stake', 'add', '1SUI', '--cluster', tb.clusterId, '--namespace', 'kube-system'], /is reserved/],
      [['stake', 'add', '1SUI', '--cluster', tb.clusterId, '--namespace', 'Team'], /DNS-1123 label/],
      [['stake', 'remove', unknown], /no SealToken 0xabab/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    cases.forEach(([args, message], i) => {
      expect(results[i].code, args.join(' ')).not.toBe(0);
      expect(results[i].stderr, args.join(' ')).toMatch(message);
    });
    expect(tb.localnet.chain.transactions.size).toBe(txs);
  });
});
