/**
 * `k3sdaas grant TOKEN --role viewer|editor|admin`: the cluster operator (ClusterAdminCap holder) gives a SealToken
 * a cluster role, effective for its next request. Roles are never bought; this is the only way to get one.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ROLES, type RoleName } from '../core/abi/package.js';
import * as calls from '../core/calls/index.js';
import { decodeEvent, type RoleGranted } from '../core/events/index.js';
import { operatorCap, parseObjectId, readSealToken, roleName, TenancyError } from '../core/tenancy.js';
import { cliRuntime } from './context.js';

const ROLE_CHOICES = Object.keys(ROLES) as RoleName[];

function roleArg(v: string): RoleName {
  if (!(ROLE_CHOICES as string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${ROLE_CHOICES.join(', ')}`);
  return v as RoleName;
}

export function grantCommand(): Command {
  return new Command('grant')
    .description('give a SealToken a cluster role (operator only; effective for its next request)')
    .argument('<token>', 'SealToken object id')
    .requiredOption('--role <role>', `cluster-wide role: ${ROLE_CHOICES.join(', ')}`, roleArg)
    .option('--json', 'print one JSON object')
    .action(async (token: string, flags: { role: RoleName; json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd);
      const tokenId = parseObjectId(token, '<token>');
      const sealToken = await readSealToken(rt.client, tokenId);
      const { address } = rt.signer();
      const cap = await operatorCap(rt.client, address, rt.packageId, sealToken.clusterId, 'grant roles');
      const tx = await rt.executor().execute(
        calls.access.grant({ package: rt.packageId, arguments: { cap, cluster: sealToken.clusterId, tokenId, role: ROLES[flags.role] } }),
      );
      const ev = tx.events.map((e) => decodeEvent(e, { packageId: rt.packageId })).find((e): e is RoleGranted => e?.$kind === 'RoleGranted');
      if (!ev) throw new TenancyError('MISSING_EVENT', `transaction ${tx.digest} emitted no RoleGranted event`);
      if (flags.json) process.stdout.write(JSON.stringify({ tokenId, clusterId: ev.clusterId, role: roleName(ev.role), tx: tx.digest }) + '\n');
      else process.stdout.write(`granted ${roleName(ev.role)} to SealToken ${tokenId} on cluster ${ev.clusterId} (tx ${tx.digest})\n`);
    });
}
