import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { toBase64 } from '@mysten/sui/utils';
import { eventCursor, startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';
import { DEMO_ABI, DEMO_FUNCTIONS } from '../src/localnet/testing.js';

const dirs: string[] = [];
const nets: Localnet[] = [];
afterAll(async () => {
  for (const n of nets) await n.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function start(opts: Parameters<typeof startLocalnet>[0]) {
  const net = await startLocalnet({ port: 0, faucetPort: 0, logger: silentLogger, packageFunctions: DEMO_FUNCTIONS, packageAbi: DEMO_ABI, ...opts });
  nets.push(net);
  return { net, client: new SuiGrpcClient({ baseUrl: net.rpcUrl, network: 'localnet' }) };
}

async function createCounter(client: SuiGrpcClient, net: Localnet, signer: Ed25519Keypair) {
  const tx = new Transaction();
  tx.moveCall({ target: `${net.packageId}::demo::create`, arguments: [tx.pure.u64(10)] });
  const res = await client.signAndExecuteTransaction({ transaction: tx, signer });
  expect(res.$kind).toBe('Transaction');
  return res.Transaction!.digest;
}

describe('persistence', () => {
  it('keeps balances, objects, events and the checkpoint sequence across restarts; --reset wipes', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'localnet-'));
    dirs.push(dataDir);
    const first = await start({ dataDir, checkpointMs: 30 });
    const signer = first.net.accounts[0]!.keypair;
    const bob = new Ed25519Keypair().toSuiAddress();
    const tx = new Transaction();
    tx.transferObjects([tx.splitCoins(tx.gas, [tx.pure.u64(123_456)])[0]!], bob);
    await first.client.signAndExecuteTransaction({ transaction: tx, signer });
    await createCounter(first.client, first.net, signer);
    const owner = signer.toSuiAddress();
    const read = async (c: SuiGrpcClient) => ({
      balance: (await c.core.getBalance({ owner })).balance.balance,
      bob: (await c.core.getBalance({ owner: bob })).balance.balance,
      coins: (await c.core.listCoins({ owner })).objects.map((o) => `${o.objectId}@${o.version}/${o.digest}`).sort(),
      events: (await c.core.listEvents({ filter: { sender: owner } })).events.map((e) => `${e.transactionDigest}/${e.eventIndex}/${e.checkpoint}`),
      chainId: (await c.core.getChainIdentifier()).chainIdentifier,
    });
    const before = await read(first.client);
    expect(before.bob).toBe('123456');
    expect(before.events).toHaveLength(1);
    const seq = first.net.chain.latestCheckpoint.sequenceNumber;
    await first.net.stop();

    const second = await start({ dataDir, checkpointMs: 30 });
    expect(await read(second.client)).toEqual(before);
    expect(second.net.chain.latestCheckpoint.sequenceNumber).toBe(seq);
    await createCounter(second.client, second.net, signer);
    expect(second.net.chain.latestCheckpoint.sequenceNumber).toBeGreaterThan(seq);
    await second.net.stop();

    const third = await start({ dataDir, reset: true, checkpointMs: 30 });
    expect((await third.client.core.getBalance({ owner: bob })).balance.balance).toBe('0');
    expect(third.net.chain.latestCheckpoint.sequenceNumber).toBe(0n);
    await third.net.stop();
  });
});

describe('SubscribeCheckpoints', () => {
  it('a consumer killed mid-stream resumes via ListEvents from its last cursor and sees every event once', async () => {
    const { net, client } = await start({ ephemeral: true, checkpointMs: 0 });
    const signer = net.accounts[3]!.keypair;
    const seen: string[] = [];
    let last: Uint8Array | undefined;
    const abort = new AbortController();
    const call = client.subscriptionService.subscribeCheckpoints(
      { readMask: { paths: ['sequence_number', 'transactions.digest', 'transactions.events'] } },
      { abort: abort.signal },
    );
    const consumer = (async () => {
      try {
        for await (const frame of call.responses) {
          const cp = frame.checkpoint;
          if (!cp) continue;
          cp.transactions.forEach((t, ti) =>
            t.events?.events.forEach((e, ei) => {
              if (!e.eventType?.endsWith('::demo::CounterCreated')) return;
              seen.push(`${t.digest}/${ei}`);
              last = eventCursor(cp.sequenceNumber!, ti, ei);
            }),
          );
          if (seen.length >= 2) abort.abort();
        }
      } catch {
        // killed
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    const digests: string[] = [];
    for (let i = 0; i < 5; i++) digests.push(await createCounter(client, net, signer));
    await consumer;
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeLessThan(5);

    let after = toBase64(last!);
    for (;;) {
      const page = await client.core.listEvents({ filter: { emitModule: `${net.packageId}::demo` }, after, limit: 1 });
      for (const e of page.events) seen.push(`${e.transactionDigest}/${e.eventIndex}`);
      if (!page.hasNextPage || !page.endCursor) break;
      after = page.endCursor;
    }
    expect(seen).toEqual(digests.map((d) => `${d}/0`));
  });

  it('SubscribeEvents frames carry ListEvents cursors', async () => {
    const { net, client } = await start({ ephemeral: true, checkpointMs: 0 });
    const signer = net.accounts[2]!.keypair;
    const abort = new AbortController();
    const call = client.subscriptionService.subscribeEvents(
      { filter: { terms: [{ literals: [{ negated: false, predicate: { oneofKind: 'emitModule', emitModule: { module: `${net.packageId}::demo` } } }] }] } },
      { abort: abort.signal },
    );
    const first = (async () => {
      for await (const frame of call.responses) {
        if (frame.event) {
          abort.abort();
          return frame;
        }
      }
    })().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const d1 = await createCounter(client, net, signer);
    const d2 = await createCounter(client, net, signer);
    const frame = (await first)!;
    expect(frame.event!.transactionDigest).toBe(d1);
    const rest = await client.core.listEvents({ filter: { emitModule: `${net.packageId}::demo` }, after: toBase64(frame.watermark!.cursor!) });
    expect(rest.events.map((e) => e.transactionDigest)).toEqual([d2]);
    const cps = client.ledgerService.listCheckpoints({ readMask: { paths: ['sequence_number'] }, options: { limit: 100 } });
    const seqs: bigint[] = [];
    for await (const f of cps.responses) if (f.checkpoint) seqs.push(f.checkpoint.sequenceNumber!);
    expect(seqs).toEqual([0n, 1n, 2n]);
  });

  it('sends cursor-only heartbeat frames while idle', async () => {
    const { net, client } = await start({ ephemeral: true, checkpointMs: 0, heartbeatMs: 100 });
    const abort = new AbortController();
    const call = client.subscriptionService.subscribeCheckpoints({ readMask: { paths: ['sequence_number'] } }, { abort: abort.signal });
    for await (const frame of call.responses) {
      expect(frame.checkpoint).toBeUndefined();
      expect(frame.cursor).toBe(net.chain.latestCheckpoint.sequenceNumber);
      abort.abort();
      break;
    }
  });
});
