/**
 * Watch: a chunked stream of newline-delimited `{"type","object"}` events, as the real API server sends.
 * resourceVersion unset or "0": the current objects as ADDED, then changes; an exact version: every change after
 * it from the store's history (an ERROR event with a 410 Expired Status when it is older than the history, as the
 * watch cache answers); selectors apply to both sides of a change (an object leaving the selection is DELETED, one
 * entering it ADDED); `allowWatchBookmarks` adds periodic BOOKMARKs; `sendInitialEvents=true` ends the initial
 * ADDED events with the `k8s.io/initial-events-end` bookmark; `timeoutSeconds` ends the stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceDef } from './registry.js';
import { matchesFields, matchesLabels, type FieldRequirement, type LabelRequirement } from './selectors.js';
import { KubeApiError, badRequest } from './status.js';
import { keyOf, type HistoryEntry, type KubeStore } from './store.js';
import { toTable, type IncludeObject } from './table.js';
import type { KubeObject } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchOptions {
  namespace?: string;
  labels?: LabelRequirement[];
  fields?: FieldRequirement[];
  resourceVersion?: string;
  sendInitialEvents?: boolean;
  allowBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Events carry one-row Tables (kubectl get -w asks for them). */
  table?: { includeObject: IncludeObject };
  /** Interval between bookmarks (ms). Default 60 s, as the real server. */
  bookmarkMs?: number;
}

/** Default and maximum stream length: the real server's --min-request-timeout (1800 s). */
const MAX_TIMEOUT_S = 1800;

export interface WatchEvent {
  type: WatchEventType;
  object: unknown;
}

/** What a watch from `opts` sees of one history entry (possibly nothing). */
export function eventFor(def: ResourceDef, e: HistoryEntry, opts: WatchOptions): { type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: KubeObject } | undefined {
  if (e.key !== keyOf(def)) return undefined;
  const matches = (o: KubeObject | undefined) =>
    !!o &&
    (!def.namespaced || !opts.namespace || o.metadata.namespace === opts.namespace) &&
    (!opts.labels || matchesLabels(opts.labels, o.metadata.labels)) &&
    (!opts.fields || matchesFields(opts.fields, o));
  const now = matches(e.obj);
  const before = matches(e.prev);
  if (e.type === 'DELETED') return now || before ? { type: 'DELETED', obj: e.obj } : undefined;
  if (e.type === 'ADDED') return now ? { type: 'ADDED', obj: e.obj } : undefined;
  if (now && before) return { type: 'MODIFIED', obj: e.obj };
  if (now) return { type: 'ADDED', obj: e.obj };
  if (before) return { type: 'DELETED', obj: e.obj };
  return undefined;
}

function parseRv(text: string): number {
  if (!/^\d+$/.test(text)) throw badRequest(`resourceVersion: Invalid value: "${text}": strconv.ParseUint: parsing "${text}": invalid syntax`);
  return Number(text);
}

/** Validates the watch parameters before anything is streamed (so a bad request is an HTTP Status). */
export function checkWatchOptions(opts: WatchOptions): void {
  if (opts.resourceVersion && opts.resourceVersion !== '0') parseRv(opts.resourceVersion);
  if (opts.timeoutSeconds !== undefined && !(opts.timeoutSeconds >= 0)) throw badRequest('timeoutSeconds: Invalid value: must be a non-negative integer');
}

/** Streams a watch on `res` until the client goes, the timeout passes, or the server closes. */
export function serveWatch(store: KubeStore, def: ResourceDef, opts: WatchOptions, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  const render = (obj: KubeObject): unknown =>
    opts.table ? toTable(def, [obj], { resourceVersion: obj.metadata.resourceVersion ?? store.resourceVersion(), includeObject: opts.table.includeObject }) : obj;
  const write = (ev: WatchEvent) => {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(ev)}\n`);
  };
  const bookmark = (annotations?: Record<string, string>) =>
    write({ type: 'BOOKMARK', object: { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: store.resourceVersion(), ...(annotations ? { annotations } : {}) } } });

  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};
  const end = () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t), clearInterval(t);
    if (!res.writableEnded) res.end();
  };
  req.on('close', end);
  res.on('close', end);

  const rvParam = opts.resourceVersion ?? '';
  const initial = rvParam === '' || rvParam === '0' || opts.sendInitialEvents === true;
  let backlog: HistoryEntry[] = [];
  if (initial && opts.sendInitialEvents !== false) {
    for (const o of store.list(def, { namespace: def.namespaced ? opts.namespace : undefined, labels: opts.labels, fields: opts.fields })) {
      write({ type: 'ADDED', object: render(o) });
    }
    if (opts.sendInitialEvents && opts.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else if (!initial) {
    try {
      backlog = store.changesSince(parseRv(rvParam));
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      write({ type: 'ERROR', object: err.toStatus() });
      return end();
    }
  }
  const deliver = (e: HistoryEntry) => {
    const ev = eventFor(def, e, opts);
    if (ev) write({ type: ev.type, object: render(ev.obj) });
  };
  // a watcher sees a change only once it is durable (as etcd's watchers), in order
  const queue: HistoryEntry[] = [];
  let pumping = false;
  const pump = async () => {
    pumping = true;
    try {
      while (queue.length) {
        const batch = queue.splice(0);
        await store.flush();
        for (const e of batch) deliver(e);
      }
    } catch {
      end();
    } finally {
      pumping = false;
    }
  };
  const enqueue = (e: HistoryEntry) => {
    queue.push(e);
    if (!pumping) void pump();
  };
  for (const e of backlog) enqueue(e);
  unsubscribe = store.onRecord(enqueue);
  if (res.destroyed || res.writableEnded) return end();

  if (opts.allowBookmarks) {
    const t = setInterval(() => bookmark(), opts.bookmarkMs ?? 60_000);
    t.unref?.();
    timers.push(t);
  }
  const timeout = Math.min(opts.timeoutSeconds || MAX_TIMEOUT_S, MAX_TIMEOUT_S);
  const t = setTimeout(end, timeout * 1000);
  t.unref?.();
  timers.push(t);
}
