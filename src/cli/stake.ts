/**
 * `k3sdaas stake add|list|topup|remove`: SealTokens backed by staked SUI. Every refusal the contract would make (unknown
 * cluster, below the minimum, too little balance, stake still locked) is checked first and reported before any
 * transaction is sent. Amounts are `1.5SUI` or MIST integers and are always printed with units.
 */
import { Command, InvalidArgumentError } from 'commander';
import { coinWithBalance } from '@mysten/sui/transactions';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { ROLE_TENANT, ROLES, type RoleName } from '../core/abi/package.js';
import { isDnsLabel, isReservedNamespace } from '../core/authz.js';
import { formatAmount, formatAmountExact, parseAmount } from '../core/amount.js';
import * as calls from '../core/calls/index.js';
import { listSealTokens, NotFoundError, objectContent, readCluster, type ChainClient } from '../core/chain/index.js';
import { decodeEvent, decodeObjectContent, type Cluster, type Staked, type ToppedUp, type Unstaked } from '../core/events/index.js';
import { K3sDaasError, MoveAbortError } from '../core/errors.js';
import { GAS_RESERVE } from '../worker/chain.js';
import { parseObjectId, prepaidBalance, readSealToken, tokenRoles } from '../core/tenancy.js';
import { cliRuntime } from './context.js';

const ROLE_NAMES = Object.keys(ROLES) as RoleName[];
const roleName = (role: number) => (role === ROLE_TENANT ? 'tenant' : (ROLE_NAMES.find((n) => ROLES[n] === role) ?? `role ${role}`));

class StakeError extends K3sDaasError {}

async function clusterOrError(client: ChainClient, clusterId: string): Promise<Cluster> {
  try {
    return await readCluster(client, clusterId);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new StakeError('STAKE_UNKNOWN_CLUSTER', `unknown cluster ${clusterId}: no such Cluster object on this network (check --cluster and --network)`);
    }
    throw err;
  }
}

/** The Staked event of each token the owner staked, newest first (the table entry is not readable off chain). */
async function stakedEvents(client: ChainClient, packageId: string, owner: string, tokenIds: Set<string>): Promise<Map<string, Staked>> {
  const found = new Map<string, Staked>();
  let before: string | null = null;
  while (found.size < tokenIds.size) {
    const page: { events: Array<{ eventType: string; bcs: Uint8Array }>; hasNextPage: boolean; endCursor?: string | null } =
      await client.core.listEvents({ filter: { sender: owner }, order: 'descending', limit: 100, ...(before ? { before } : {}) });
    for (const raw of page.events) {
      const ev = decodeEvent(raw, { packageId });
      if (ev?.$kind === 'Staked' && tokenIds.has(ev.tokenId)) found.set(ev.tokenId, ev);
    }
    if (!page.hasNextPage || !page.endCursor) break;
    before = page.endCursor;
  }
  return found;
}

function lockText(lockedUntilMs: bigint, now = Date.now()): string {
  const at = new Date(Number(lockedUntilMs)).toISOString();
  const left = Number(lockedUntilMs) - now;
  return left > 0 ? `locked until ${at} (${Math.ceil(left / 1000)}s left)` : `unlocked since ${at}`;
}

const print = (line: string): void => void process.stdout.write(line + '\n');

function refuseRole(): never {
  throw new InvalidArgumentError(`roles are not bought: stake as a tenant with --namespace NAME; the cluster operator grants ${ROLE_NAMES.join(', ')} (k3sdaas grant)`);
}

function parseNamespace(v: string): string {
  if (!isDnsLabel(v)) throw new InvalidArgumentError('must be a DNS-1123 label (a-z, 0-9 and -, at most 63, starting and ending with a letter or digit)');
  if (isReservedNamespace(v)) throw new InvalidArgumentError('is reserved (default, kube-*, k3sdaas-*)');
  return v;
}

function amountArg(v: string): bigint {
  try {
    return parseAmount(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function stakeCommand(): Command {
  const stake = new Command('stake').description('stake SUI for SealTokens (cluster access), list and withdraw them');

  stake
    .command('add')
    .description('stake SUI for a new tenant SealToken on a cluster, claiming a namespace')
    .argument('<amount>', 'e.g. 1.5SUI, or an integer number of MIST', amountArg)
    .requiredOption('--namespace <name>', 'the namespace to claim (first claim wins)', parseNamespace)
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--role <role>', 'refused: cluster roles are granted by the operator, never bought', refuseRole)
    .option('--json', 'print one JSON object')
    .action(async (amount: bigint, flags: { cluster?: string; namespace: string; json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      const clusterId = rt.clusterId();
      const { address } = rt.signer();
      const cluster = await clusterOrError(rt.client, clusterId);
      if (amount < cluster.minUserStake) {
        throw new StakeError('STAKE_TOO_LOW', `${formatAmountExact(amount)} is below the cluster's minimum stake of ${formatAmountExact(cluster.minUserStake)}`);
      }
      const { balance } = await rt.client.core.getBalance({ owner: address });
      const have = BigInt(balance.balance);
      if (have < amount + GAS_RESERVE) {
        throw new StakeError('STAKE_BALANCE_TOO_LOW', `${address} holds ${formatAmount(have)}, not enough to stake ${formatAmount(amount)} plus ${formatAmount(GAS_RESERVE)} for gas`);
      }
      const tx = await rt.executor().execute((tx) => {
        const payment = tx.add(coinWithBalance({ balance: amount }));
        calls.access.stake({ package: rt.packageId, arguments: { cluster: clusterId, payment, namespace: flags.namespace } })(tx);
      });
      const ev = tx.events.map((e) => decodeEvent(e, {})).find((e): e is Staked => e?.$kind === 'Staked');
      if (!ev) throw new StakeError('MISSING_EVENT', `transaction ${tx.digest} emitted no Staked event`);
      if (flags.json) {
        print(JSON.stringify({
          tokenId: ev.tokenId, clusterId: ev.clusterId, namespace: ev.namespace, role: roleName(ev.role), amount: formatAmount(ev.amount), amountMist: String(ev.amount),
          lockedUntilMs: String(ev.lockedUntilMs), lockedUntil: new Date(Number(ev.lockedUntilMs)).toISOString(), tx: tx.digest,
        }));
      } else {
        print(`staked ${formatAmount(ev.amount)} as tenant of namespace ${ev.namespace} on cluster ${cluster.name} (${ev.clusterId})`);
        print(`SealToken ${ev.tokenId}, ${lockText(ev.lockedUntilMs)}`);
      }
    });

  stake
    .command('list')
    .description('your SealTokens: role, namespace, amount staked, prepaid fee balance, lock end')
    .option('--cluster <id>', 'only tokens of this cluster')
    .option('--json', 'print a JSON array')
    .action(async (flags: { cluster?: string; json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      const { address } = rt.signer();
      const tokens = await listSealTokens(rt.client, address, rt.originalPackageId, flags.cluster ? rt.clusterId() : undefined);
      const staked = await stakedEvents(rt.client, rt.originalPackageId, address, new Set(tokens.map((t) => t.id)));
      const roles = await tokenRoles(rt.client, rt.originalPackageId, tokens.map((t) => t.id));
      const prepaid = await Promise.all(tokens.map((t) => prepaidBalance(rt.client, rt.packageId, t.clusterId, t.id, address).catch(() => null)));
      const rows = tokens.map((t, i) => ({ token: t, staked: staked.get(t.id), role: roles.get(t.id) ?? null, prepaid: prepaid[i] }));
      if (flags.json) {
        print(JSON.stringify(rows.map(({ token, staked: s, role, prepaid: p }) => ({
          tokenId: token.id, clusterId: token.clusterId, namespace: token.namespace, role: role === null ? null : roleName(role),
          amount: s ? formatAmount(s.amount) : null, amountMist: s ? String(s.amount) : null,
          balance: p === null ? null : formatAmount(p), balanceMist: p === null ? null : String(p),
          lockedUntilMs: s ? String(s.lockedUntilMs) : null, locked: s ? Number(s.lockedUntilMs) > Date.now() : null,
        }))));
        return;
      }
      if (!rows.length) return print(`no SealTokens owned by ${address}${flags.cluster ? ` on cluster ${flags.cluster}` : ''}`);
      for (const { token, staked: s, role, prepaid: p } of rows) {
        const balance = p === null ? 'balance ?' : `balance ${formatAmount(p)}`;
        print(`${token.id}  ${(role === null ? '?' : roleName(role)).padEnd(6)}  ${(token.namespace || '-').padEnd(12)}  ${(s ? formatAmount(s.amount) : '? SUI').padStart(14)}  ${balance}  cluster ${token.clusterId}  ${s ? lockText(s.lockedUntilMs) : 'lock unknown'}`);
      }
    });

  stake
    .command('topup')
    .description("add to a SealToken's prepaid request fees (anyone may pay for any token)")
    .argument('<token>', 'SealToken object id')
    .argument('<amount>', 'e.g. 0.5SUI, or an integer number of MIST', amountArg)
    .option('--json', 'print one JSON object')
    .action(async (token: string, amount: bigint, flags: { json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd);
      const tokenId = parseObjectId(token, '<token>');
      if (amount <= 0n) throw new StakeError('STAKE_BAD_AMOUNT', '<amount> must be more than 0 MIST');
      const sealToken = await readSealToken(rt.client, tokenId);
      await clusterOrError(rt.client, sealToken.clusterId);
      const { address } = rt.signer();
      const { balance } = await rt.client.core.getBalance({ owner: address });
      const have = BigInt(balance.balance);
      if (have < amount + GAS_RESERVE) {
        throw new StakeError('STAKE_BALANCE_TOO_LOW', `${address} holds ${formatAmount(have)}, not enough to top up ${formatAmount(amount)} plus ${formatAmount(GAS_RESERVE)} for gas`);
      }
      const tx = await rt.executor().execute((tx) => {
        const payment = tx.add(coinWithBalance({ balance: amount }));
        calls.access.topup({ package: rt.packageId, arguments: { cluster: sealToken.clusterId, tokenId, payment } })(tx);
      });
      const ev = tx.events.map((e) => decodeEvent(e, { packageId: rt.packageId })).find((e): e is ToppedUp => e?.$kind === 'ToppedUp');
      if (!ev) throw new StakeError('MISSING_EVENT', `transaction ${tx.digest} emitted no ToppedUp event`);
      if (flags.json) print(JSON.stringify({ tokenId, clusterId: ev.clusterId, addedMist: String(ev.amount), balanceMist: String(ev.prepaid), balance: formatAmount(ev.prepaid), tx: tx.digest }));
      else print(`added ${formatAmount(ev.amount)} to SealToken ${tokenId}: prepaid balance ${formatAmountExact(ev.prepaid)}`);
    });

  stake
    .command('remove')
    .description('withdraw the stake of a SealToken after its lock (the token is deleted, the SUI returned)')
    .argument('<token>', 'SealToken object id')
    .option('--json', 'print one JSON object')
    .action(async (tokenId: string, flags: { json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd);
      const { address } = rt.signer();
      if (!/^0x[0-9a-fA-F]{1,64}$/.test(tokenId)) throw new StakeError('STAKE_BAD_TOKEN', `not an object id: ${tokenId}`);
      const id = normalizeSuiAddress(tokenId);
      const obj = await objectContent(rt.client, id);
      if (!obj || !/::access::SealToken$/.test(obj.type)) throw new StakeError('STAKE_UNKNOWN_TOKEN', `no SealToken ${id} on this network (already removed?)`);
      const owned = await listSealTokens(rt.client, address, rt.originalPackageId);
      if (!owned.some((t) => t.id === id)) throw new StakeError('STAKE_NOT_OWNER', `SealToken ${id} is not owned by ${address}`);
      const token = decodeObjectContent('SealToken', obj.content);
      await clusterOrError(rt.client, token.clusterId);
      const s = (await stakedEvents(rt.client, rt.originalPackageId, address, new Set([id]))).get(id);
      if (s && Number(s.lockedUntilMs) > Date.now()) {
        throw new StakeError('STAKE_LOCKED', `the stake of SealToken ${id} is ${lockText(s.lockedUntilMs)}; remove it after that`);
      }
      let tx;
      try {
        tx = await rt.executor().execute(calls.access.unstake({ package: rt.packageId, arguments: { cluster: token.clusterId, token: id } }));
      } catch (err) {
        if (err instanceof MoveAbortError && err.abortName === 'EStakeLocked') {
          throw new StakeError('STAKE_LOCKED', `the stake of SealToken ${id} is still locked on chain${s ? ` (${lockText(s.lockedUntilMs)})` : ''}`);
        }
        throw err;
      }
      const ev = tx.events.map((e) => decodeEvent(e, {})).find((e): e is Unstaked => e?.$kind === 'Unstaked');
      const amount = ev?.amount ?? 0n;
      if (flags.json) print(JSON.stringify({ tokenId: id, clusterId: token.clusterId, returned: formatAmount(amount), returnedMist: String(amount), tx: tx.digest }));
      else print(`removed SealToken ${id}: ${formatAmount(amount)} returned to ${address}`);
    });

  return stake;
}
