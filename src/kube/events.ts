/** core/v1 Event objects, as the scheduler, kubelet and controllers record them. */
import { resourceForKind } from './registry.js';
import { nowTimestamp, type KubeStore } from './store.js';
import type { KubeObject } from './types.js';

export interface EventInput {
  reason: string;
  message: string;
  component: string;
  host?: string;
  type?: 'Normal' | 'Warning';
}

let sequence = 0;

/** Event names end in a hex clock (as the real recorder's UnixNano), so listing by name is chronological. */
function eventSuffix(): string {
  return (BigInt(Date.now()) * 1_000_000n + BigInt(sequence++ % 1_000_000)).toString(16);
}

/** Records an event about `obj` in its namespace (default for cluster-scoped objects); never throws. */
export function recordEvent(store: KubeStore, obj: KubeObject, e: EventInput): void {
  const ns = obj.metadata.namespace ?? 'default';
  const now = nowTimestamp();
  try {
    store.create(resourceForKind('Event'), ns, {
      metadata: { name: `${obj.metadata.name}.${eventSuffix()}`, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason: e.reason,
      message: e.message,
      source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: e.type ?? 'Normal',
      eventTime: null,
      reportingComponent: e.component,
      reportingInstance: e.host ?? '',
    });
  } catch {
    // the namespace may be going away; events are best effort
  }
}
