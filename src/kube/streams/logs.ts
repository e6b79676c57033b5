/**
 * `pods/log?follow=true`: the log so far (tailLines, sinceSeconds/sinceTime, timestamps, limitBytes, previous as
 * without follow), then every line as the container writes it, chunked, until the container exits (or the client
 * goes away) — what the kubelet serves to `kubectl logs -f`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';
import type { LogEntry } from '../containers/container.js';
import { kubeletFor, logQuery } from '../kubelet.js';
import { streamed, type Reply } from '../reply.js';
import { badRequest } from '../status.js';
import type { KubeStore } from '../store.js';
import type { KubeObject } from '../types.js';

const stamp = (t: number) => new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

export function followLogs(store: KubeStore, pod: KubeObject, container: string, query: URLSearchParams): Reply {
  const q = logQuery(query) ?? {};
  const kubelet = kubeletFor(store);
  // a finished previous run, or a container that is not running: the log as it is, then the end
  if (q.previous) {
    const text = kubelet?.logs(pod, container, q) ?? '';
    return streamed((_req, res) => (res.writeHead(200, { 'Content-Type': 'text/plain' }), res.end(text)));
  }
  const c = kubelet?.container(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', container);
  if (!c?.process) {
    const phase = (pod as { status?: { phase?: string } }).status?.phase ?? 'Pending';
    throw badRequest(`container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${phase === 'Pending' ? 'ContainerCreating' : phase}`);
  }
  const proc = c.process;
  return streamed((req: IncomingMessage, res: ServerResponse) => {
    let budget = q.limitBytes ?? Infinity;
    let ended = false;
    let unsubscribe = (): void => undefined;
    const write = (text: string): void => {
      if (ended || !text) return;
      const bytes = Buffer.from(text);
      const chunk = bytes.length > budget ? bytes.subarray(0, budget) : bytes;
      budget -= chunk.length;
      res.write(chunk);
      if (budget <= 0) end();
    };
    const end = () => {
      if (ended) return;
      ended = true;
      unsubscribe();
      res.end();
    };
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    // the backlog and the subscription in one turn: no line is lost or doubled between them
    write(c.logText({ ...q, limitBytes: undefined }));
    if (ended) return;
    unsubscribe = c.onLog((e: LogEntry) => write(`${q.timestamps ? `${stamp(e.time)} ` : ''}${e.line}\n`)) as () => void;
    if (!proc.running) {
      setImmediate(end);
    } else {
      void proc.exited.then(async () => {
        // the last lines the process wrote are recorded when its streams end
        await Promise.all([proc.stdout, proc.stderr].map((s) => finished(s).catch(() => undefined)));
        setImmediate(end);
      });
    }
    req.once('close', end);
    res.once('close', end);
  });
}
