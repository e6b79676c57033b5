/**
 * The event feed against localnet in fullnode mode: ExecuteTransaction answers at finality, ListEvents scans are
 * bounded (SCAN_LIMIT, often with no event), watermark-only frames, subscriptions that start at the tip and get
 * dropped, pruned history and a package upgrade mid-run. No event may be missed or handed twice.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SuiClientTypes } from '@mysten/sui/client';

import { GrpcTypes } from '@mysten/sui/grpc';
import { startLocalnet, type Localnet } from '../../localnet/index.js';
import { DEMO_ABI, DEMO_FUNCTIONS } from '../../localnet/testing.js';
import { createChainClient, type ChainClient } from './client.js';
import { memoryCursorStore } from './cursor-store.js';
import { TransactionExecutor } from './executor.js';
import { creationCheckpoint } from './objects.js';
import { ChainFollower, type FollowerTimers } from './follower.js';
import { silentLogger, type Logger } from '../log.js';

let net: Localnet;
let client: ChainClient;
let ex: TransactionExecutor;
let pkg: string;

beforeAll(async () => {
  net = await startLocalnet({
    port: 0,
    faucetPort: 0,
    ephemeral: true,
    checkpointMs: 0,
    heartbeatMs: 100,
    packageFunctions: DEMO_FUNCTIONS,
    packageAbi: DEMO_ABI,
    logger: silentLogger,
    fullnode: { answerAtFinality: true, scanLimit: 5, watermarkEvery: 2 },
  });
  pkg = net.packageId;
  client = createChainClient({ rpcUrl: net.rpcUrl });
  ex = await new TransactionExecutor(client, net.accounts[0]!.keypair).enableConcurrency(3);
});
afterAll(() => net?.stop());

/** A counted client: how many ListEvents / SubscribeEvents calls the follower makes. */
function counting() {
  const c = createChainClient({ rpcUrl: net.rpcUrl });
  const calls = { listEvents: 0, subscribeEvents: 0, scanLimited: 0, emptyScanLimited: 0, watermarkOnly: 0 };
  const list = c.ledgerService.listEvents.bind(c.ledgerService);
  const sub = c.subscriptionService.subscribeEvents.bind(c.subscriptionService);
  c.ledgerService.listEvents = ((...a: Parameters<typeof list>) => {
    calls.listEvents++;
    const call = list(...a);
    const frames = call.responses;
    return {
      responses: (async function* () {
        let events = 0;
        for await (const f of frames) {
          if (f.event) events++;
          else if (!f.end && f.watermark) calls.watermarkOnly++;
          if (f.end?.reason === GrpcTypes.QueryEndReason.SCAN_LIMIT) {
            calls.scanLimited++;
            if (!events) calls.emptyScanLimited++;
          }
          yield f;
        }
      })(),
    };
  }) as unknown as typeof list;
  c.subscriptionService.subscribeEvents = ((...a: Parameters<typeof sub>) => (calls.subscribeEvents++, sub(...a))) as typeof sub;
  return { client: c, calls };
}

const create = (callPkg = pkg) => ex.execute((tx) => void tx.moveCall({ target: `${callPkg}::demo::create`, arguments: [tx.pure.u64(1000)] }));
/** Noise: events the feed does not follow (Bumped), which a fullnode scans past. */
async function noise(counter: string, n: number) {
  for (let i = 0; i < n; i++) await ex.execute((tx) => void tx.moveCall({ target: `${pkg}::demo::bump`, arguments: [tx.object(counter), tx.pure.u64(1), tx.object.clock()] }));
}

/** Every CounterCreated on chain from `fromCheckpoint` on, as `digest:index`. */
function createdOnChain(fromCheckpoint = 0n): string[] {
  return net.chain.events.filter((e) => e.event.type === `${pkg}::demo::CounterCreated` && e.checkpoint >= fromCheckpoint).map((e) => `${e.txDigest}:${e.eventIndex}`);
}

function follow(o: { client?: ChainClient; startCheckpoint?: bigint; startAt?: 'beginning' | 'now'; logger?: Logger; timers?: FollowerTimers; filter?: 'eventType' | 'emitModule' }) {
  const handed: string[] = [];
  const follower = new ChainFollower({
    client: o.client ?? client,
    streams: [{ name: 'created', filter: o.filter === 'emitModule' ? { emitModule: `${pkg}::demo` } : { eventType: `${pkg}::demo::CounterCreated` } }],
    cursors: memoryCursorStore(),
    startAt: o.startAt ?? 'beginning',
    startCheckpoint: o.startCheckpoint,
    backoff: { initialMs: 20, maxMs: 100 },
    logger: o.logger,
    timers: o.timers,
    onEvents: (_s, events: SuiClientTypes.EventEntry[]) => void handed.push(...events.map((e) => `${e.transactionDigest}:${e.eventIndex}`)),
  });
  return { follower, handed };
}

describe('ChainFollower on a fullnode-like localnet', () => {
  it('hands every event exactly once through scan-limited pages, watermark-only frames, a dropped subscription and a package upgrade', async () => {
    const first = await create();
    const counter = first.effects.changedObjects.find((o) => o.idOperation === 'Created')!.objectId;
    const start = BigInt(net.chain.latestCheckpoint.sequenceNumber);
    await noise(counter, 12);
    await create();
    const { client: counted, calls } = counting();
    // Real timers, counted: catching up must not depend on pauses (each SCAN_LIMIT page is continued at once).
    let pauses = 0;
    const timers: FollowerTimers = {
      every: (ms, fn) => {
        const t = setInterval(fn, ms);
        return () => clearInterval(t);
      },
      sleep: (ms, signal) => (pauses++, new Promise((r) => (signal.aborted ? r() : setTimeout(r, ms)))),
    };
    const { follower, handed } = follow({ client: counted, startCheckpoint: start, timers });
    follower.start();
    await follower.waitCaughtUp();
    expect(pauses).toBe(0);
    // The history since `start`: one create among twelve bumps; scans of 5 events end with SCAN_LIMIT, most pages empty.
    expect(handed).toEqual(createdOnChain(start));
    expect(calls.scanLimited).toBeGreaterThan(1);
    expect(calls.emptyScanLimited).toBeGreaterThan(0);
    expect(calls.watermarkOnly).toBeGreaterThan(0);

    // Live, with noise in between.
    for (let i = 0; i < 3; i++) {
      await create();
      await noise(counter, 3);
    }
    await vi.waitFor(() => expect(handed.length).toBe(createdOnChain(start).length), { timeout: 10_000, interval: 20 });

    // The subscription is dropped while events keep coming: the gap is replayed from the cursor.
    expect(net.dropSubscriptions()).toBeGreaterThanOrEqual(1);
    await Promise.all([create(), create()]);
    await noise(counter, 2);
    await create();
    await vi.waitFor(() => expect(follower.reconnects).toBeGreaterThanOrEqual(1), { timeout: 10_000, interval: 20 });
    await vi.waitFor(() => expect(handed.length).toBe(createdOnChain(start).length), { timeout: 10_000, interval: 20 });

    // A package upgrade mid-run: calls go to the new id, events keep the original id in their type.
    const upgraded = net.upgradePackage();
    expect(upgraded).not.toBe(pkg);
    const viaNew = await create(upgraded);
    expect(viaNew.events[0]!.eventType).toBe(`${pkg}::demo::CounterCreated`);
    expect(viaNew.events[0]!.packageId).toBe(upgraded);
    await create();
    await vi.waitFor(() => expect(handed.length).toBe(createdOnChain(start).length), { timeout: 10_000, interval: 20 });

    expect(new Set(handed).size).toBe(handed.length);
    expect(handed).toEqual(createdOnChain(start));
    expect(follower.lagCheckpoints).toBeLessThanOrEqual(1);
    await follower.stop();
  }, 60_000);

  it('an emitModule filter on the original id misses what upgraded calls emit (why feeds filter by event type)', async () => {
    const { follower, handed } = follow({ filter: 'emitModule', startCheckpoint: net.chain.latestCheckpoint.sequenceNumber + 1n });
    follower.start();
    await follower.waitCaughtUp();
    await create(net.chain.pkg.upgrades![0]!);
    await create();
    await vi.waitFor(() => expect(handed.length).toBe(1), { timeout: 10_000, interval: 20 });
    await follower.stop();
  }, 30_000);

  it('finds the checkpoint a shared object was created in (where a cluster\'s feeds start)', async () => {
    const made = await create();
    const id = made.effects.changedObjects.find((o) => o.idOperation === 'Created')!.objectId;
    await noise(id, 3);
    await client.core.waitForTransaction({ digest: made.digest });
    const cp = net.chain.transactions.get(made.digest)!.checkpoint!;
    expect(await creationCheckpoint(client, id)).toBe(cp);
    expect(net.chain.latestCheckpoint.sequenceNumber).toBeGreaterThan(cp);
  }, 30_000);

  it('starts at the lowest available checkpoint when history is pruned, and says so', async () => {
    const lowest = net.chain.latestCheckpoint.sequenceNumber - 10n;
    net.prune(lowest);
    try {
      const warnings: string[] = [];
      const logger: Logger = { ...silentLogger, warn: (msg: string) => void warnings.push(msg), child: () => logger };
      const { follower, handed } = follow({ startCheckpoint: 0n, logger });
      follower.start();
      await follower.waitCaughtUp();
      expect(handed).toEqual(createdOnChain(lowest));
      expect(handed.length).toBeLessThan(createdOnChain(0n).length);
      expect(warnings.join('\n')).toMatch(/pruned/);
      await follower.stop();
    } finally {
      net.prune(0n);
    }
  }, 30_000);

  it('reports its lag from where it starts before the first drain completes', async () => {
    const start = net.chain.latestCheckpoint.sequenceNumber - 20n;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let lagDuringFirstPage = -1;
    const follower = new ChainFollower({
      client,
      streams: [{ name: 'created', filter: { eventType: `${pkg}::demo::CounterCreated` } }],
      cursors: memoryCursorStore(),
      startCheckpoint: start,
      onEvents: async () => {
        if (lagDuringFirstPage < 0) lagDuringFirstPage = follower.lagCheckpoints;
        await gate;
      },
    }).start();
    await vi.waitFor(() => expect(lagDuringFirstPage).toBeGreaterThanOrEqual(0), { timeout: 10_000, interval: 10 });
    const tip = net.chain.latestCheckpoint.sequenceNumber;
    // Not the absolute checkpoint number: the distance from the start.
    expect(lagDuringFirstPage).toBe(Number(tip - start + 1n));
    release();
    await follower.waitCaughtUp();
    expect(follower.lagCheckpoints).toBe(0);
    await follower.stop();
  }, 30_000);

  it('idle: one ListEvents call per safety poll, none for the stream\'s progress frames (measured over a simulated hour)', async () => {
    const ticks: Array<() => void> = [];
    const timers: FollowerTimers = {
      every: (_ms, fn) => (ticks.push(fn), () => ticks.splice(ticks.indexOf(fn), 1)),
      sleep: (_ms, signal) => new Promise((r) => (signal.aborted ? r() : setImmediate(r))),
    };
    const { client: counted, calls } = counting();
    const { follower } = follow({ client: counted, startAt: 'now', timers });
    follower.start();
    await follower.waitCaughtUp();
    const counter = (await create()).effects.changedObjects.find((o) => o.idOperation === 'Created')!.objectId;
    await vi.waitFor(() => expect(follower.lastCheckpoint).toBe(net.chain.latestCheckpoint.sequenceNumber), { timeout: 10_000, interval: 10 });
    await new Promise((r) => setTimeout(r, 50));
    const before = calls.listEvents;
    // Transactions the feed does not follow: the filtered stream sends progress frames, the follower calls nothing.
    await noise(counter, 5);
    await vi.waitFor(() => expect(follower.lastCheckpoint).toBe(net.chain.latestCheckpoint.sequenceNumber), { timeout: 10_000, interval: 10 });
    expect(calls.listEvents).toBe(before);
    // An idle hour at the default safety poll (10 s): 360 ticks, one ListEvents call each.
    for (let i = 0; i < 360; i++) {
      ticks.forEach((t) => t());
      await vi.waitFor(() => expect(calls.listEvents).toBe(before + i + 1), { timeout: 5_000, interval: 1 });
    }
    expect(calls.listEvents - before).toBe(360);
    expect(calls.subscribeEvents).toBe(1);
    await follower.stop();
  }, 60_000);
});


