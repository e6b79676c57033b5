/**
 * `k3sdaas revoke TOKEN`: the cluster operator takes a SealToken's cluster role away, effective for its next
 * request; the token stays a tenant of the namespace it claimed (if any).
 */
import { Command } from 'commander';
import { ROLE_TENANT } from '../core/abi/package.js';
import * as calls from '../core/calls/index.js';
import { decodeEvent, type RoleRevoked } from '../core/events/index.js';
import { operatorCap, parseObjectId, readSealToken, roleName, TenancyError, tokenRole } from '../core/tenancy.js';
import { cliRuntime } from './context.js';

export function revokeCommand(): Command {
  return new Command('revoke')
    .description("take a SealToken's cluster role away (operator only); it stays a tenant of its own namespace")
    .argument('<token>', 'SealToken object id')
    .option('--json', 'print one JSON object')
    .action(async (token: string, flags: { json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd);
      const tokenId = parseObjectId(token, '<token>');
      const sealToken = await readSealToken(rt.client, tokenId);
      const { address } = rt.signer();
      const cap = await operatorCap(rt.client, address, rt.packageId, sealToken.clusterId, 'revoke roles');
      if ((await tokenRole(rt.client, rt.packageId, tokenId)) === ROLE_TENANT) {
        throw new TenancyError('NO_ROLE', `SealToken ${tokenId} has no cluster role to revoke (it is a tenant of ${sealToken.namespace || 'no namespace'})`);
      }
      const tx = await rt.executor().execute(calls.access.revoke({ package: rt.packageId, arguments: { cap, cluster: sealToken.clusterId, tokenId } }));
      const ev = tx.events.map((e) => decodeEvent(e, { packageId: rt.packageId })).find((e): e is RoleRevoked => e?.$kind === 'RoleRevoked');
      if (!ev) throw new TenancyError('MISSING_EVENT', `transaction ${tx.digest} emitted no RoleRevoked event`);
      if (flags.json) process.stdout.write(JSON.stringify({ tokenId, clusterId: ev.clusterId, revoked: roleName(ev.role), namespace: sealToken.namespace, tx: tx.digest }) + '\n');
      else process.stdout.write(`revoked ${roleName(ev.role)} from SealToken ${tokenId}${sealToken.namespace ? `; it remains tenant of ${sealToken.namespace}` : ''} (tx ${tx.digest})\n`);
    });
}
