/**
 * Publishes the committed build of the Move package (move/build/k3sdaas.json) with `tx.publish` — no `sui` CLI —
 * and hands the UpgradeCap to the publisher. Used by `k3sdaas deploy` on public networks; localnet has the package
 * from genesis and refuses publishing.
 */
import type { TransactionExecutor } from './chain/index.js';
import { K3sDaasError } from './errors.js';
import { loadCommittedBuild } from './move/build.js';

export async function publishPackage(executor: TransactionExecutor): Promise<{ packageId: string; digest: string }> {
  const build = loadCommittedBuild();
  const tx = await executor.execute(
    (tx) => {
      const upgradeCap = tx.publish({ modules: build.modules, dependencies: build.dependencies });
      tx.transferObjects([upgradeCap], executor.address);
    },
    { gasBudget: 500_000_000n },
  );
  const pkg = tx.effects.changedObjects.find((o) => o.outputState === 'PackageWrite' && o.idOperation === 'Created');
  if (!pkg) throw new K3sDaasError('PUBLISH_NO_PACKAGE', `publish transaction ${tx.digest} created no package`);
  return { packageId: pkg.objectId, digest: tx.digest };
}
