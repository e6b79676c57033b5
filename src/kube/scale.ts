/**
 * The autoscaling/v1 Scale subresource of deployments, replicasets, statefulsets and replication controllers — and of
 * custom resources, at the paths their CRD's `subresources.scale` declares.
 */
import type { ScalePaths } from './registry.js';
import { badRequest } from './status.js';
import type { KubeObject } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** `.spec.replicas` → ['spec', 'replicas'] (the simple JSON paths CRDs allow for scale). */
const segments = (path: string) => path.replace(/^\./, '').split('.').filter(Boolean);

function at(obj: unknown, path: string): unknown {
  let v = obj as Any;
  for (const k of segments(path)) v = v && typeof v === 'object' ? v[k] : undefined;
  return v;
}

function withValue(obj: Any, path: string[], value: unknown): Any {
  const [head, ...rest] = path;
  const o = obj && typeof obj === 'object' ? obj : {};
  return { ...o, [head]: rest.length ? withValue(o[head], rest, value) : value };
}

export function scaleOf(obj: KubeObject, paths?: ScalePaths): KubeObject {
  const o = obj as Any;
  const sel = paths
    ? String(paths.labelSelectorPath ? (at(o, paths.labelSelectorPath) ?? '') : '')
    : Object.entries(o.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
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
    spec: { replicas: paths ? Number(at(o, paths.specReplicasPath) ?? 0) : (o.spec?.replicas ?? 1) },
    status: { replicas: Number((paths ? at(o, paths.statusReplicasPath) : o.status?.replicas) ?? 0), selector: sel },
  };
}

/** The object with the Scale's replicas applied (the Scale's resourceVersion is honoured as a precondition). */
export function withScale(obj: KubeObject, scale: KubeObject, paths?: ScalePaths): KubeObject {
  const replicas = (scale as Any).spec?.replicas;
  if (typeof replicas !== 'number' || replicas < 0) throw badRequest('spec.replicas must be a non-negative integer');
  const metadata = { ...obj.metadata, resourceVersion: scale.metadata?.resourceVersion ?? obj.metadata.resourceVersion };
  if (paths) return { ...withValue(obj, segments(paths.specReplicasPath), replicas), metadata };
  return { ...obj, metadata, spec: { ...(obj as Any).spec, replicas } };
}
