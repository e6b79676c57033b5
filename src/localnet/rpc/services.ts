/** The sui.rpc.v2 services localnet serves, mapped onto the Chain. */
import { GrpcTypes } from '@mysten/sui/grpc';
import type { Chain, IndexedEvent } from '../chain/chain.js';
import { EPOCH } from '../chain/chain.js';
import { TxRejected } from '../chain/errors.js';
import { REFERENCE_GAS_PRICE } from '../chain/executor.js';
import { addr, coinValue, isCoinType, normalizeType, SUI_COIN_TYPE } from '../chain/ids.js';
import { LIMITS } from '../chain/interpreter.js';
import type { CheckpointRecord, StoredObject } from '../chain/types.js';
import { applyMask, checkpointProto, executedTransactionProto, indexedEventProto, maskTree, objectProto, timestamp } from './convert.js';
import { encodeCursor, eventCursor, eventFilter, firstAtLeast, queryEventFrames, type EventQueryLimits } from './events.js';
import { Code, GrpcError, type GrpcWebServer } from './grpc-web.js';
import { simulate } from './simulate.js';
import { MAX_U32, queryTransactionFrames, transactionCursor, transactionFilter } from './transactions.js';

const T = GrpcTypes;

export interface ServiceOptions {
  /** Interval of cursor-only SubscribeCheckpoints frames while idle (Node's fetch drops silent streams). */
  heartbeatMs?: number;
  /** Fullnode behaviour: ListEvents scan budget and watermark-only frames, pruning. Mutable at run time. */
  fullnode?: FullnodeBehaviour;
}

export interface FullnodeBehaviour extends EventQueryLimits {
  /** ExecuteTransaction answers at finality, before the transaction's checkpoint is readable (as a fullnode). */
  answerAtFinality?: boolean;
}

/** Test levers on the running services. */
export interface ServiceControls {
  /** Ends every open subscription stream with UNAVAILABLE (as a fullnode restart or a load balancer would). */
  dropSubscriptions(): number;
}

/** Runs `fn`, turning execution rejections into gRPC errors. */
async function guard<R>(fn: () => R | Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TxRejected) throw new GrpcError(err.grpcStatus, err.message);
    throw err;
  }
}

const paths = (req: any): string[] | undefined => req.readMask?.paths;

function findObject(chain: Chain, id: string | undefined, version?: bigint): StoredObject {
  if (!id) throw new GrpcError(Code.INVALID_ARGUMENT, 'object_id is required');
  let oid: string;
  try {
    oid = addr(id);
  } catch {
    throw new GrpcError(Code.INVALID_ARGUMENT, `invalid object id ${id}`);
  }
  const first = chain.firstVersions.get(oid);
  if (version !== undefined && first && first.version === version) return first;
  const o = chain.objects.get(oid);
  if (!o) throw new GrpcError(Code.NOT_FOUND, `object ${oid} not found`);
  if (version !== undefined && version !== o.version) throw new GrpcError(Code.NOT_FOUND, `object ${oid} version ${version} not found (current version ${o.version})`);
  return o;
}

function findCheckpoint(chain: Chain, req: any): CheckpointRecord {
  const id = req.checkpointId;
  if (id?.oneofKind === 'sequenceNumber') {
    const cp = chain.checkpoints[Number(id.sequenceNumber)];
    if (!cp) throw new GrpcError(Code.NOT_FOUND, `checkpoint ${id.sequenceNumber} not found`);
    return cp;
  }
  if (id?.oneofKind === 'digest') {
    const cp = chain.checkpoints.find((c) => c.digest === id.digest);
    if (!cp) throw new GrpcError(Code.NOT_FOUND, `checkpoint ${id.digest} not found`);
    return cp;
  }
  return chain.latestCheckpoint;
}

const wantsTransactions = (p: string[] | undefined) => !p || p.some((x) => x === 'transactions' || x.startsWith('transactions.'));

function typeMatcher(filter: string | undefined): (type: string) => boolean {
  if (!filter) return () => true;
  const t = normalizeType(filter);
  return t.includes('<') ? (type) => type === t : (type) => type === t || type.startsWith(`${t}<`);
}

function ownedPage(chain: Chain, req: any, match: (o: StoredObject) => boolean) {
  if (!req.owner) throw new GrpcError(Code.INVALID_ARGUMENT, 'owner is required');
  const size = Math.min(req.pageSize || 50, 1000);
  const after = req.pageToken?.length ? addr(Buffer.from(req.pageToken).toString('hex')) : undefined;
  const all = chain.ownedBy(req.owner).filter((o) => match(o) && (!after || o.id > after));
  const page = all.slice(0, size);
  const next = all.length > size ? Buffer.from(page[page.length - 1]!.id.slice(2), 'hex') : undefined;
  return { page, next };
}

function balanceOf(chain: Chain, owner: string, coinType: string) {
  const type = `${normalizeType(`0x2::coin::Coin<${coinType}>`)}`;
  const total = chain.ownedBy(owner).reduce((s, o) => (o.type === type ? s + coinValue(o.contents) : s), 0n);
  return { coinType: normalizeType(coinType), balance: total, coinBalance: total, addressBalance: 0n };
}

export function registerServices(server: GrpcWebServer, chain: Chain, options: ServiceOptions = {}): ServiceControls {
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const fullnode: FullnodeBehaviour = options.fullnode ?? {};
  const subscriptions = new Set<(err: Error) => void>();
  /** Runs a subscription until the client leaves, or fails it when dropSubscriptions() is called. */
  const subscription = async (ctx: { signal: AbortSignal }, body: (signal: AbortSignal) => Promise<void>) => {
    const abort = new AbortController();
    let dropped: Error | null = null;
    const drop = (err: Error) => {
      dropped = err;
      abort.abort();
    };
    const onClient = () => abort.abort();
    ctx.signal.addEventListener('abort', onClient);
    subscriptions.add(drop);
    try {
      await body(abort.signal);
    } finally {
      subscriptions.delete(drop);
      ctx.signal.removeEventListener('abort', onClient);
    }
    if (dropped) throw dropped;
  };

  // === LedgerService ===
  server
    .unary(T.LedgerService, 'GetServiceInfo', () => ({
      chainId: chain.chainId,
      chain: 'localnet',
      epoch: EPOCH,
      checkpointHeight: chain.latestCheckpoint.sequenceNumber,
      timestamp: timestamp(chain.latestCheckpoint.timestampMs),
      lowestAvailableCheckpoint: fullnode.lowestAvailable ?? 0n,
      lowestAvailableCheckpointObjects: fullnode.lowestAvailable ?? 0n,
      server: 'k3sdaas-localnet',
    }))
    .unary(T.LedgerService, 'GetEpoch', (req) => {
      if (req.epoch !== undefined && req.epoch !== EPOCH) throw new GrpcError(Code.NOT_FOUND, `epoch ${req.epoch} not found`);
      const start = chain.checkpoints[0]!.timestampMs;
      return {
        epoch: {
          epoch: EPOCH,
          firstCheckpoint: 0n,
          start: timestamp(start),
          referenceGasPrice: REFERENCE_GAS_PRICE,
          protocolConfig: {
            protocolVersion: 1n,
            featureFlags: {},
            attributes: {
              max_tx_size_bytes: String(LIMITS.maxTxBytes),
              max_pure_argument_size: String(LIMITS.maxPureArgBytes),
              max_event_emit_size: String(LIMITS.maxEventBytes),
              max_move_object_size: String(LIMITS.maxObjectBytes),
              max_programmable_tx_commands: String(LIMITS.maxCommands),
              max_gas_payment_objects: String(LIMITS.maxGasObjects),
            },
          },
          systemState: {
            version: 1n,
            epoch: EPOCH,
            protocolVersion: 1n,
            referenceGasPrice: REFERENCE_GAS_PRICE,
            epochStartTimestampMs: start,
            safeMode: false,
          },
        },
      };
    })
    .unary(T.LedgerService, 'GetObject', (req) => ({ object: applyMask(T.Object, objectProto(findObject(chain, req.objectId, req.version)), maskTree(paths(req))) }))
    .unary(T.LedgerService, 'BatchGetObjects', (req) => {
      const mask = maskTree(paths(req));
      return {
        objects: req.requests.map((r: any) => {
          try {
            return { result: { oneofKind: 'object', object: applyMask(T.Object, objectProto(findObject(chain, r.objectId, r.version)), mask) } };
          } catch (err) {
            if (!(err instanceof GrpcError)) throw err;
            return { result: { oneofKind: 'error', error: { code: err.status, message: err.message } } };
          }
        }),
      };
    })
    .unary(T.LedgerService, 'GetTransaction', (req) => {
      const tx = chain.checkpointedTransaction(req.digest ?? '');
      if (!tx) throw new GrpcError(Code.NOT_FOUND, `transaction ${req.digest} not found`);
      return { transaction: applyMask(T.ExecutedTransaction, executedTransactionProto(tx), maskTree(paths(req))) };
    })
    .unary(T.LedgerService, 'BatchGetTransactions', (req) => {
      const mask = maskTree(paths(req));
      return {
        transactions: req.digests.map((d: string) => {
          const tx = chain.checkpointedTransaction(d);
          return tx
            ? { result: { oneofKind: 'transaction', transaction: applyMask(T.ExecutedTransaction, executedTransactionProto(tx), mask) } }
            : { result: { oneofKind: 'error', error: { code: Code.NOT_FOUND, message: `transaction ${d} not found` } } };
        }),
      };
    })
    .unary(T.LedgerService, 'GetCheckpoint', (req) => {
      const p = paths(req);
      return { checkpoint: applyMask(T.Checkpoint, checkpointProto(findCheckpoint(chain, req), chain, wantsTransactions(p)), maskTree(p)) };
    })
    .stream(T.LedgerService, 'ListEvents', async (req, send) => {
      const mask = maskTree(paths(req));
      for (const f of queryEventFrames(chain, req, fullnode)) {
        const watermark = { cursor: f.cursor, checkpoint: f.checkpoint };
        if (f.kind === 'event') await send({ event: applyMask(T.Event, indexedEventProto(f.event), mask), watermark });
        else if (f.kind === 'watermark') await send({ watermark });
        else await send({ watermark, end: { reason: T.QueryEndReason[f.reason] } });
      }
    });

  server.stream(T.LedgerService, 'ListTransactions', async (req, send) => {
    const mask = maskTree(paths(req));
    for (const f of queryTransactionFrames(chain, req, fullnode)) {
      const watermark = { cursor: f.cursor, checkpoint: f.checkpoint };
      if (f.kind === 'transaction') await send({ transaction: applyMask(T.ExecutedTransaction, executedTransactionProto(f.tx), mask), watermark });
      else await send({ watermark, end: { reason: T.QueryEndReason[f.reason] } });
    }
  });

  // === StateService ===
  server
    .unary(T.StateService, 'ListOwnedObjects', (req) => {
      const match = typeMatcher(req.objectType);
      const { page, next } = ownedPage(chain, req, (o) => match(o.type));
      const mask = maskTree(paths(req));
      return { objects: page.map((o) => applyMask(T.Object, objectProto(o), mask)), nextPageToken: next };
    })
    .unary(T.StateService, 'GetBalance', (req) => {
      if (!req.owner) throw new GrpcError(Code.INVALID_ARGUMENT, 'owner is required');
      return { balance: balanceOf(chain, req.owner, req.coinType || '0x2::sui::SUI') };
    })
    .unary(T.StateService, 'ListBalances', (req) => {
      if (!req.owner) throw new GrpcError(Code.INVALID_ARGUMENT, 'owner is required');
      const types = new Set(chain.ownedBy(req.owner).filter((o) => isCoinType(o.type)).map((o) => o.type.slice(o.type.indexOf('<') + 1, -1)));
      return { balances: [...types].sort().map((t) => balanceOf(chain, req.owner, t)) };
    })
    .unary(T.StateService, 'GetCoinInfo', (req) => {
      const type = normalizeType(req.coinType ?? '');
      if (`${normalizeType(`0x2::coin::Coin<${type}>`)}` !== SUI_COIN_TYPE) throw new GrpcError(Code.NOT_FOUND, `coin type ${type} not found`);
      return { coinType: type, metadata: { decimals: 9, name: 'Sui', symbol: 'SUI', description: 'localnet SUI' } };
    });

  // === TransactionExecutionService ===
  server
    .unary(T.TransactionExecutionService, 'ExecuteTransaction', (req, ctx) =>
      guard(async () => {
        const bytes: Uint8Array | undefined = req.transaction?.bcs?.value;
        if (!bytes?.length) throw new GrpcError(Code.INVALID_ARGUMENT, 'transaction.bcs (BCS TransactionData) is required');
        const sigs: Uint8Array[] = (req.signatures ?? []).map((s: any) => s.bcs?.value).filter((b: Uint8Array | undefined) => b?.length);
        const tx = await chain.execute(bytes, sigs);
        // Read-your-writes unless imitating a fullnode, which answers at finality, before the checkpoint is readable.
        if (!fullnode.answerAtFinality) await chain.waitCheckpointed(tx.digest, ctx.signal).catch(() => {});
        return { transaction: applyMask(T.ExecutedTransaction, executedTransactionProto(tx), maskTree(paths(req))) };
      }),
    )
    .unary(T.TransactionExecutionService, 'SimulateTransaction', (req) =>
      guard(() => applyMask(T.SimulateTransactionResponse, simulate(chain, req), maskTree(paths(req)?.concat(['command_outputs', 'suggested_gas_price'])))),
    );

  // === SubscriptionService ===
  server.stream(T.SubscriptionService, 'SubscribeCheckpoints', async (req, send, ctx) => {
    const p = paths(req);
    const mask = maskTree(p);
    await subscription(ctx, (signal) =>
      followCheckpoints(chain, signal, heartbeatMs, {
        checkpoint: (cp) => send({ cursor: cp.sequenceNumber, checkpoint: applyMask(T.Checkpoint, checkpointProto(cp, chain, wantsTransactions(p)), mask) }),
        idle: () => send({ cursor: chain.latestCheckpoint.sequenceNumber }),
      }),
    );
  });

  // As on a fullnode: starts at the tip (its first frame is progress-only and fixes that position), then each
  // checkpoint's matching events, or a progress frame when none matched. Cannot resume.
  server.stream(T.SubscriptionService, 'SubscribeEvents', async (req, send, ctx) => {
    const mask = maskTree(paths(req));
    const match = eventFilter(req.filter);
    const progress = (cp: bigint) => send({ watermark: { cursor: eventCursor(cp, 0xffffffff, 0xffffffff), checkpoint: cp } });
    await subscription(ctx, async (signal) => {
      await progress(chain.latestCheckpoint.sequenceNumber);
      await followCheckpoints(chain, signal, heartbeatMs, {
        checkpoint: async (cp) => {
          let sent = 0;
          // The checkpoint's events are contiguous in the (key-ordered) index: found by search, not by a full scan.
          const events: IndexedEvent[] = [];
          for (let i = firstAtLeast(chain.events, cp.sequenceNumber << 64n); i < chain.events.length && chain.events[i]!.checkpoint === cp.sequenceNumber; i++) {
            events.push(chain.events[i]!);
          }
          for (const e of events) {
            if (!match(e)) continue;
            sent++;
            await send({ event: applyMask(T.Event, indexedEventProto(e), mask), watermark: { cursor: encodeCursor(e), checkpoint: e.checkpoint - 1n } });
          }
          if (!sent) await progress(cp.sequenceNumber);
        },
        idle: () => progress(chain.latestCheckpoint.sequenceNumber),
      });
    });
  });

  // Filtered like SubscribeEvents: progress-only first frame, matching transactions per checkpoint, else progress.
  server.stream(T.SubscriptionService, 'SubscribeTransactions', async (req, send, ctx) => {
    const mask = maskTree(paths(req));
    const match = transactionFilter(req.filter);
    const progress = (cp: bigint) => send({ watermark: { cursor: transactionCursor(cp, MAX_U32), checkpoint: cp } });
    await subscription(ctx, async (signal) => {
      await progress(chain.latestCheckpoint.sequenceNumber);
      await followCheckpoints(chain, signal, heartbeatMs, {
        checkpoint: async (cp) => {
          let sent = 0;
          for (const [i, d] of cp.transactions.entries()) {
            const tx = chain.transactions.get(d);
            if (!tx || !match(tx)) continue;
            sent++;
            await send({ transaction: applyMask(T.ExecutedTransaction, executedTransactionProto(tx), mask), watermark: { cursor: transactionCursor(cp.sequenceNumber, i), checkpoint: cp.sequenceNumber - 1n } });
          }
          if (!sent) await progress(cp.sequenceNumber);
        },
        idle: () => progress(chain.latestCheckpoint.sequenceNumber),
      });
    });
  });

  server.stream(T.LedgerService, 'ListCheckpoints', async (req, send) => {
    const p = paths(req);
    const mask = maskTree(p);
    const opts = req.options ?? {};
    const limit = Math.min(opts.limit || 50, 1000);
    const desc = opts.ordering === T.Ordering.DESCENDING;
    const key = (b: Uint8Array | undefined) => (b?.length === 8 ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false) : undefined);
    const after = key(opts.after);
    const before = key(opts.before);
    const cps = chain.checkpoints.filter(
      (c) =>
        (req.startCheckpoint === undefined || c.sequenceNumber >= req.startCheckpoint) &&
        (req.endCheckpoint === undefined || c.sequenceNumber < req.endCheckpoint) &&
        (after === undefined || c.sequenceNumber > after) &&
        (before === undefined || c.sequenceNumber < before),
    );
    if (desc) cps.reverse();
    for (const cp of cps.slice(0, limit)) {
      const cursor = new Uint8Array(8);
      new DataView(cursor.buffer).setBigUint64(0, cp.sequenceNumber, false);
      await send({ checkpoint: applyMask(T.Checkpoint, checkpointProto(cp, chain, wantsTransactions(p)), mask), watermark: { cursor, checkpoint: cp.sequenceNumber } });
    }
    await send({ end: { reason: cps.length > limit ? T.QueryEndReason.ITEM_LIMIT : T.QueryEndReason.LEDGER_TIP } });
  });

  return {
    dropSubscriptions() {
      const n = subscriptions.size;
      for (const drop of [...subscriptions]) drop(new GrpcError(Code.UNAVAILABLE, 'subscription dropped by the node'));
      return n;
    },
  };
}

/** Calls `checkpoint` for every checkpoint sealed from now on, and `idle` after `heartbeatMs` without one. */
async function followCheckpoints(
  chain: Chain,
  signal: AbortSignal,
  heartbeatMs: number,
  on: { checkpoint: (cp: CheckpointRecord) => Promise<void>; idle: () => Promise<void> },
): Promise<void> {
  const queue: CheckpointRecord[] = [];
  let wake: (() => void) | undefined;
  const off = chain.onCheckpoint((cp) => {
    queue.push(cp);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      const cp = queue.shift();
      if (cp) {
        await on.checkpoint(cp);
        continue;
      }
      const idle = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), heartbeatMs);
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      wake = undefined;
      if (idle && !signal.aborted) await on.idle();
    }
  } finally {
    off();
    signal.removeEventListener('abort', onAbort);
  }
}
