/** meta.k8s.io/v1 Table responses (what `kubectl get` asks for with `Accept: …;as=Table`). */
import type { ResourceDef } from './registry.js';
import type { KubeObject } from './types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  resourceVersion: string;
  includeObject?: IncludeObject;
  continueToken?: string;
  now?: number;
}

/** True when an Accept header asks for a Table (any of its alternatives). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => /(^|;)\s*as=Table(\s*;|$)/.test(part.trim()));
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(def: ResourceDef, objects: KubeObject[], opts: TableOptions): Record<string, unknown> {
  const now = opts.now ?? Date.now();
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: opts.resourceVersion, ...(opts.continueToken ? { continue: opts.continueToken } : {}) },
    columnDefinitions: def.columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description,
      priority: c.priority,
    })),
    rows: objects.map((o) => ({
      cells: def.columns.map((c) => c.cell(o, now)),
      object: rowObject(o, include),
    })),
  };
}
