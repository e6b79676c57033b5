/** The autoscaling/v1 Scale subresource of deployments and replicasets. */
import { badRequest } from './status.js';
import type { KubeObject } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export function scaleOf(obj: KubeObject): KubeObject {
  const o = obj as Any;
  const sel = Object.entries(o.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 1 },
    status: { replicas: o.status?.replicas ?? 0, selector: sel },
  };
}

/** The object with the Scale's replicas applied (the Scale's resourceVersion is honoured as a precondition). */
export function withScale(obj: KubeObject, scale: KubeObject): KubeObject {
  const replicas = (scale as Any).spec?.replicas;
  if (typeof replicas !== 'number' || replicas < 0) throw badRequest('spec.replicas must be a non-negative integer');
  return {
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: scale.metadata?.resourceVersion ?? obj.metadata.resourceVersion },
    spec: { ...(obj as Any).spec, replicas },
  };
}
