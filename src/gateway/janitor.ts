/**
 * The gateway's (or kubectl-proxy's) janitor for its own requests: each request a kubectl waits for is scheduled
 * for expiry at its deadline and forgotten when answered, so an unanswered one is expired on chain by the account
 * that submitted it (its storage rebate comes back) and the waiting kubectl is told by the RequestExpired event.
 */
import type { TransactionExecutor } from '../core/chain/index.js';
import { RequestJanitor, type JanitorOptions } from '../core/janitor.js';
import type { Logger } from '../core/log.js';

export type { RequestJanitor };

export function submitterJanitor(
  executor: TransactionExecutor,
  packageId: string,
  options: Pick<JanitorOptions, 'graceMs' | 'retryPolicy' | 'now'> & { logger?: Logger } = {},
): RequestJanitor {
  return new RequestJanitor({ client: executor.client, executor, packageId, ...options });
}
