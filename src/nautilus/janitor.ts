/**
 * nautilus's janitor: requests it could not answer before their deadline (seen too late, or the chain unreachable
 * until then) are expired on chain by the operator's account, and the journal records that they were.
 */
import type { ChainClient, TransactionExecutor } from '../core/chain/index.js';
import { RequestJanitor, type JanitorOptions } from '../core/janitor.js';
import type { Logger } from '../core/log.js';
import type { Journal } from './journal.js';

export function nautilusJanitor(o: {
  client: ChainClient;
  executor: TransactionExecutor;
  packageId: string;
  journal: Journal;
  logger?: Logger;
  now?: () => number;
  retryPolicy?: JanitorOptions['retryPolicy'];
}): RequestJanitor {
  return new RequestJanitor({
    client: o.client,
    executor: o.executor,
    packageId: o.packageId,
    logger: o.logger,
    now: o.now,
    retryPolicy: o.retryPolicy,
    onExpired: (requestId) => o.journal.record({ requestId, state: 'done', outcome: 'expired' }),
    // Gone without us: nothing left to expire, so a restart need not schedule it again (Journal.awaitingExpiry).
    onSettled: (requestId, outcome) => outcome === 'gone' && o.journal.record({ requestId, state: 'done', outcome: 'already answered or expired' }),
  });
}
