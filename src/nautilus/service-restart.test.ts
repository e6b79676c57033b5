/**
 * A request nautilus gave up on before a restart (done, never answered: its deadline passed while the chain was
 * down) may still be a shared object on chain. After the restart nothing in memory remembers it; the journal does,
 * so the janitor is scheduled to expire it again.
 */
import { describe, expect, it } from 'vitest';
import type { ChainClient, TransactionExecutor } from '../core/chain/index.js';
import { memoryCursorStore } from '../core/chain/index.js';
import type { KubeForwarder } from '../core/kube/index.js';
import { silentLogger } from '../core/log.js';
import { generateEnclaveKey } from './enclave-key.js';
import { Journal, serializeEvent } from './journal.js';
import { NautilusService } from './service.js';

describe('nautilus restart', () => {
  it('schedules the expiry of requests the journal lists as done but unanswered', async () => {
    const clock = { t: 1_000_000 };
    const journal = new Journal(undefined, { now: () => clock.t });
    const event = (id: string) => serializeEvent({ $kind: 'RequestSubmitted', requestId: id, deadlineMs: BigInt(clock.t - 5_000) } as never);
    journal.record({ requestId: '0xa', state: 'accepted', event: event('0xa') });
    journal.record({ requestId: '0xa', state: 'done', outcome: 'deadline passed' });
    journal.record({ requestId: '0xb', state: 'accepted', event: event('0xb') });
    journal.record({ requestId: '0xb', state: 'done', outcome: 'answered' });
    // A chain that never answers: the follower keeps retrying in the background until stopped.
    const client = new Proxy({}, { get: () => () => new Promise(() => undefined) }) as unknown as ChainClient;
    const service = new NautilusService({
      client,
      executor: { address: '0x1', concurrency: 1 } as unknown as TransactionExecutor,
      packageId: '0x2',
      clusterId: '0x3',
      enclaveKey: generateEnclaveKey(),
      forwarder: {} as KubeForwarder,
      provisioning: false,
      journal,
      cursors: memoryCursorStore(),
      logger: silentLogger,
      now: () => clock.t,
    });
    await service.start();
    try {
      expect(service.janitor.stats.scheduled).toBe(1);
    } finally {
      await Promise.race([service.stop(), new Promise((r) => setTimeout(r, 2_000))]);
    }
  });
});
