/** The dev sandbox issues join tokens: a worker registered against it receives one it can open. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TransactionExecutor } from '../src/core/chain/index.js';
import { MIST_PER_SUI } from '../src/core/cluster-admin.js';
import { generateEncryptionKey } from '../src/core/crypto/index.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { DEV_ACCOUNTS } from '../src/localnet/index.js';
import { leaveWorker, openJoinToken, registerWorker, waitForJoinToken } from '../src/worker/index.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
});
afterAll(async () => sb?.stop());

it('sandbox: WorkerRegistered → join token sealed to the worker, opened locally', async () => {
  const key = generateEncryptionKey();
  const executor = new TransactionExecutor(sb.client, DEV_ACCOUNTS[3].keypair);
  const ev = await registerWorker(executor, sb.packageId, { clusterId: sb.clusterId, stake: 10n * MIST_PER_SUI, nodeName: 'sandbox-worker', encryptionKey: key.publicKey });
  const worker = await waitForJoinToken(sb.client, ev.workerId, { timeoutMs: 20_000 });
  expect(openJoinToken(worker, key)).toMatch(/^K10[0-9a-f]{64}::[a-z0-9]{6}\.[a-z0-9]{16}$/);
  expect(sb.joinTokens.workers.get(ev.workerId)).toBe('sandbox-worker');
  const left = await leaveWorker(executor, sb.packageId, sb.clusterId, ev.workerId);
  expect(left).toMatchObject({ $kind: 'WorkerLeft', amount: 10n * MIST_PER_SUI });
});
