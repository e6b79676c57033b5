import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ACCOUNTS } from '../src/localnet/index.js';
import { cliEnv, startWorkerTestbed, type WorkerTestbed } from '../src/worker/testing.js';
import { runCli } from './helpers/cli.js';

const OPERATOR = 0;
const USER = 2;
const OTHER = 3;
let tb: WorkerTestbed;
let env: Record<number, NodeJS.ProcessEnv>;

beforeAll(async () => {
  tb = await startWorkerTestbed();
  env = Object.fromEntries([OPERATOR, USER, OTHER].map((a) => [a, cliEnv(tb, a, mkdtempSync(join(tmpdir(), `k3sdaas-tenancy-${a}-`)), { K3SDAAS_CLUSTER_ID: tb.clusterId })]));
});
afterAll(async () => tb?.stop());

const as = (account: number) => (...args: string[]) => runCli(args, { env: env[account] });
const user = as(USER);
const operator = as(OPERATOR);
const other = as(OTHER);
const txCount = () => tb.localnet.chain.transactions.size;

describe('tenancy CLI', () => {
  let tokenId = '';

  it('stake add --namespace makes a tenant; `tenants` lists it; --role is refused before anything is sent', async () => {
    const before = txCount();
    const refused = await user('stake', 'add', '1SUI', '--namespace', 'team-a', '--role', 'admin');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--role.*roles are not bought/);
    expect(txCount()).toBe(before);

    const added = await user('stake', 'add', '1SUI', '--namespace', 'team-a', '--json');
    expect(added.code, added.stderr).toBe(0);
    const staked = JSON.parse(added.stdout);
    expect(staked).toMatchObject({ namespace: 'team-a', role: 'tenant', amountMist: '1000000000' });
    tokenId = staked.tokenId;

    const tenants = await other('tenants', '--json');
    expect(tenants.code, tenants.stderr).toBe(0);
    expect(JSON.parse(tenants.stdout)).toEqual([expect.objectContaining({ namespace: 'team-a', tokenId, owner: DEV_ACCOUNTS[USER].address })]);
    const table = await other('tenants');
    expect(table.stdout).toMatch(new RegExp(`^NAMESPACE\\s+SEALTOKEN\\s+OWNER\\nteam-a\\s+${tokenId}\\s+${DEV_ACCOUNTS[USER].address}`));
  });

  it('stake topup adds to the prepaid balance, and stake list shows role, namespace and balance', async () => {
    const up = await other('stake', 'topup', tokenId, '0.25SUI', '--json'); // anyone may pay
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ tokenId, addedMist: '250000000', balanceMist: '250000000' });
    const again = await user('stake', 'topup', tokenId, '1000');
    expect(again.stdout).toMatch(/prepaid balance 0\.250001 SUI \(250001000 MIST\)/);
    const list = JSON.parse((await user('stake', 'list', '--json')).stdout);
    expect(list).toEqual([expect.objectContaining({ tokenId, role: 'tenant', namespace: 'team-a', amountMist: '1000000000', balanceMist: '250001000' })]);
    const human = await user('stake', 'list');
    expect(human.stdout).toMatch(/tenant\s+team-a\s+1 SUI\s+balance 0\.250001 SUI/);
  });

  it('grant and revoke: operator only, each an event; the role shows in stake list', async () => {
    let before = txCount();
    const stranger = await user('grant', tokenId, '--role', 'admin');
    expect(stranger.code).not.toBe(0);
    expect(stranger.stderr).toMatch(/only the cluster operator .* may grant roles: .* holds no ClusterAdminCap/);
    expect(txCount()).toBe(before);

    const granted = await operator('grant', tokenId, '--role', 'admin', '--json');
    expect(granted.code, granted.stderr).toBe(0);
    expect(JSON.parse(granted.stdout)).toMatchObject({ tokenId, role: 'admin' });
    expect(JSON.parse((await user('stake', 'list', '--json')).stdout)[0]).toMatchObject({ role: 'admin', namespace: 'team-a' });

    const revoked = await operator('revoke', tokenId);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/revoked admin from SealToken .*; it remains tenant of team-a/);
    expect(JSON.parse((await user('stake', 'list', '--json')).stdout)[0]).toMatchObject({ role: 'tenant' });

    before = txCount();
    const twice = await operator('revoke', tokenId);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toMatch(/has no cluster role to revoke \(it is a tenant of team-a\)/);
    expect(txCount()).toBe(before);
  });

  it('revenue shows fees and revenue; withdraw is for the operator and pays exactly the revenue', async () => {
    const shown = await other('revenue', '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ clusterId: tb.clusterId, revenueMist: '0', readFeeMist: '0', writeFeeMist: '0', treasuryMist: '0', maxSlashBps: 1000 });
    const before = txCount();
    const refused = await other('revenue', 'withdraw');
    expect(refused.stderr).toMatch(/only the cluster operator .* may withdraw revenue/);
    expect(txCount()).toBe(before);
    const withdrawn = await operator('revenue', 'withdraw', '--json');
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    expect(JSON.parse(withdrawn.stdout)).toMatchObject({ withdrawnMist: '0', recipient: DEV_ACCOUNTS[OPERATOR].address });
  });

  it('bad input: a message naming the argument or flag, non-zero exit, nothing sent', async () => {
    const before = txCount();
    const unknown = '0x' + 'ab'.repeat(32);
    const cases: Array<[string[], RegExp]> = [
      [['grant', tokenId, '--role', 'root'], /option '--role <role>' argument 'root' is invalid\. must be one of viewer, editor, admin/],
      [['grant', tokenId], /required option '--role <role>' not specified/],
      [['grant', 'not-an-id', '--role', 'viewer'], /<token>: not an object id: not-an-id/],
      [['grant', unknown, '--role', 'viewer'], /no SealToken 0xabab/],
      [['revoke', 'zz'], /<token>: not an object id/],
      [['stake', 'topup', tokenId, 'lots'], /invalid amount 'lots'/],
      [['stake', 'topup', tokenId, '0'], /argument 'amount'. invalid amount '0': must be more than zero/],
      [['stake', 'topup', unknown, '1SUI'], /no SealToken 0xabab/],
      [['stake', 'add', '1SUI', '--namespace', 'kube-mine'], /option '--namespace <name>' argument 'kube-mine' is invalid\. is reserved/],
      [['stake', 'add', '1SUI', '--namespace', 'Team_A'], /--namespace <name>' argument 'Team_A' is invalid\. must be a DNS-1123 label/],
      [['tenants', '--cluster', 'nope'], /cluster|nope/],
      [['gateway', '--concurrency', 'abc'], /option '--concurrency <n>' argument 'abc' is invalid\. --concurrency takes a whole number of at least 1/],
      [['nautilus', 'start', '--concurrency', '0'], /option '--concurrency <n>' argument '0' is invalid\. --concurrency takes a whole number of at least 1/],
    ];
    for (const [args, message] of cases) {
      const r = await operator(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(txCount()).toBe(before);
  });

  it('--help for each new command', async () => {
    const commands = [['grant'], ['revoke'], ['tenants'], ['revenue'], ['revenue', 'withdraw'], ['stake', 'topup'], ['worker', 'approve'], ['worker', 'list']];
    for (const args of commands) {
      const r = await runCli([...args, '--help']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: k3sdaas ${args.join(' ')} `));
    }
  });
});
