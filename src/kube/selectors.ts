/** Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors (=, ==, !=). */
import { badRequest } from './status.js';
import type { KubeObject } from './types.js';

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export interface FieldRequirement {
  path: string;
  op: '=' | '!=';
  value: string;
}

/** Splits on commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^[A-Za-z0-9][-A-Za-z0-9_./]*$/;

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}

export function parseLabelSelector(text: string | null | undefined): LabelRequirement[] {
  if (!text) return [];
  return splitTopLevel(text).map((part): LabelRequirement => {
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (set) {
      const values = set[3].split(',').map((v) => v.trim()).filter((v) => v !== '');
      return { key: checkKey(set[1], text), op: set[2] as 'in' | 'notin', values };
    }
    const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (eq) {
      return { key: checkKey(eq[1], text), op: eq[2] === '!=' ? 'notin' : 'in', values: [eq[3]] };
    }
    if (part.startsWith('!')) return { key: checkKey(part.slice(1).trim(), text), op: 'notexists' };
    return { key: checkKey(part, text), op: 'exists' };
  });
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
    }
  });
}

/** Field paths each kind supports besides metadata.name and metadata.namespace. */
const FIELDS: Record<string, string[]> = {
  Event: [
    'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
    'reason', 'reportingComponent', 'source', 'type',
  ],
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Secret: ['type'],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  ReplicaSet: ['status.replicas'],
};

export function parseFieldSelector(text: string | null | undefined, kind: string): FieldRequirement[] {
  if (!text) return [];
  const allowed = ['metadata.name', 'metadata.namespace', ...(FIELDS[kind] ?? [])];
  return splitTopLevel(text).map((part) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    if (!allowed.includes(m[1])) throw badRequest(`field label not supported: ${m[1]}`);
    return { path: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] };
  });
}

function fieldValue(obj: KubeObject, path: string): string {
  if (path === 'source') {
    const src = (obj as { source?: { component?: string } }).source;
    return src?.component ?? '';
  }
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

export function matchesFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => (fieldValue(obj, r.path) === r.value) === (r.op === '='));
}

/** Renders a matchLabels map as selector text (`a=b,c=d`). */
export function selectorFromLabels(labels: Record<string, string> | undefined): LabelRequirement[] {
  return Object.entries(labels ?? {}).map(([key, v]) => ({ key, op: 'in', values: [v] }));
}
