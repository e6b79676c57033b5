/** Generic CRUD over any registered resource: list/get/create/update/patch/delete/deletecollection. */
import { parse as parseYaml } from 'yaml';
import { evictPod } from './controllers/eviction.js';
import { logQuery, podLogs } from './kubelet.js';
import { followLogs } from './streams/logs.js';
import { applyJsonPatch, applyMergePatch, strategicMerge } from './patch.js';
import { apiVersionOf } from './registry.js';
import { SERVER_IDENTITY } from './authn.js';
import { applyConflicts, fieldsV1Of, managerName, pathText, pruneUnapplied, takeOwnership, withManager, type ApplyConflict } from './managed-fields.js';
import type { UserInfo } from './rbac.js';
import { REVIEW_KINDS, handleReview } from './reviews.js';
import { continueExpired, decodeContinue, encodeContinue } from './continue.js';
import { json, streamed, text, type Reply } from './reply.js';
import { decodeBody, mediaType } from './request.js';
import { requireVerb, type ResourceRoute } from './routes.js';
import { parseFieldSelector, parseLabelSelector, type FieldRequirement } from './selectors.js';
import { KubeApiError, badRequest, methodNotAllowed, notImplemented, successStatus, unsupportedMediaType } from './status.js';
import { expired, type DeleteOptions, type KubeStore, type PropagationPolicy } from './store.js';
import { checkWatchOptions, serveWatch, type WatchOptions } from './watch.js';
import { scaleOf, withScale } from './scale.js';
import { toTable, wantsTable, type IncludeObject } from './table.js';
import { isPlainObject, type KubeObject } from './types.js';
import { fieldValidation } from './validation.js';
import { toServedVersion } from './versions.js';

export interface ResourceRequest {
  method: string;
  route: ResourceRoute;
  query: URLSearchParams;
  contentType?: string;
  accept?: string;
  body: Buffer;
  userAgent?: string;
  /** Admission for objects about to be written (create/update/patch/apply); throws to refuse. */
  admit?: (def: ResourceRequest['route']['def'], namespace: string | undefined, obj: KubeObject) => void;
  /** Who asks (after impersonation); reviews answer about them. */
  user?: UserInfo;
  /** Interval between watch bookmarks (ms); the server's option. */
  bookmarkMs?: number;
}

function asObject(v: unknown, what: string): KubeObject {
  if (!isPlainObject(v)) throw badRequest(`${what}: the request body must be a JSON object`);
  const o = v as KubeObject;
  o.metadata = isPlainObject(o.metadata) ? o.metadata : {};
  return o;
}

function render(req: ResourceRequest, store: KubeStore, code: number, stored: KubeObject, headers?: Record<string, string>): Reply {
  const obj = toServedVersion(req.route.def, stored);
  if (!wantsTable(req.accept)) return json(code, obj, headers);
  const include = (req.query.get('includeObject') ?? 'Metadata') as IncludeObject;
  return json(code, toTable(req.route.def, [obj], { resourceVersion: store.resourceVersion(), includeObject: include }), headers);
}

function watchOptions(req: ResourceRequest, extraFields: FieldRequirement[] = []): WatchOptions {
  const q = req.query;
  const { def, namespace } = req.route;
  const timeout = q.get('timeoutSeconds');
  const initial = q.get('sendInitialEvents');
  const opts: WatchOptions = {
    namespace,
    labels: parseLabelSelector(q.get('labelSelector')),
    fields: [...parseFieldSelector(q.get('fieldSelector'), def.kind), ...extraFields],
    resourceVersion: q.get('resourceVersion') ?? undefined,
    allowBookmarks: q.get('allowWatchBookmarks') === 'true',
    sendInitialEvents: initial === null ? undefined : initial === 'true',
    timeoutSeconds: timeout === null ? undefined : Number(timeout),
    table: wantsTable(req.accept) ? { includeObject: (q.get('includeObject') ?? 'Metadata') as IncludeObject } : undefined,
    bookmarkMs: req.bookmarkMs,
  };
  checkWatchOptions(opts);
  return opts;
}

function isWatch(q: URLSearchParams): boolean {
  const w = q.get('watch');
  return w === 'true' || w === '1';
}

function watch(req: ResourceRequest, store: KubeStore, extraFields: FieldRequirement[] = []): Reply {
  const opts = watchOptions(req, extraFields);
  return streamed((httpReq, res) => serveWatch(store, req.route.def, opts, httpReq, res));
}

const itemKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function list(req: ResourceRequest, store: KubeStore): Reply {
  const { def, namespace } = req.route;
  const q = req.query;
  if (isWatch(q)) return watch(req, store);
  const selection = {
    namespace,
    labels: parseLabelSelector(q.get('labelSelector')),
    fields: parseFieldSelector(q.get('fieldSelector'), def.kind),
  };
  const limitText = q.get('limit');
  const limit = limitText ? Number(limitText) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit: Invalid value: "${limitText}": must be a non-negative integer`);
  const cont = q.get('continue');
  let listRv = Number(store.resourceVersion());
  let items: KubeObject[];
  if (cont) {
    if (q.get('resourceVersion')) throw badRequest('specifying resource version is not allowed when using continue');
    const token = decodeContinue(cont);
    if (token.rv < store.oldestResourceVersion()) throw continueExpired();
    listRv = token.rv;
    items = store.listAt(def, token.rv, selection).filter((o) => itemKey(o) > token.start);
  } else {
    const rvText = q.get('resourceVersion');
    const match = q.get('resourceVersionMatch');
    if (rvText && rvText !== '0' && !/^\d+$/.test(rvText)) throw badRequest(`resourceVersion: Invalid value: "${rvText}": strconv.ParseUint: parsing "${rvText}": invalid syntax`);
    if (match && match !== 'Exact' && match !== 'NotOlderThan') throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
    if (match && !rvText) throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (match === 'Exact' && rvText) {
      const rv = Number(rvText);
      if (rv < store.oldestResourceVersion()) throw expired(rv, store.oldestResourceVersion());
      if (rv > listRv) throw new KubeApiError(504, 'Timeout', `Too large resource version: ${rv}, current: ${listRv}`);
      listRv = rv;
      items = store.listAt(def, rv, selection);
    } else items = store.list(def, selection);
  }
  items = items.map((o) => toServedVersion(def, o));
  items.sort((a, b) => (itemKey(a) < itemKey(b) ? -1 : itemKey(a) > itemKey(b) ? 1 : 0));
  let continueToken: string | undefined;
  if (limit && items.length > limit) {
    items = items.slice(0, limit);
    continueToken = encodeContinue({ rv: listRv, start: itemKey(items[items.length - 1]) });
  }
  const rv = String(listRv);
  if (wantsTable(req.accept)) {
    const include = (q.get('includeObject') ?? 'Metadata') as IncludeObject;
    return json(200, toTable(def, items, { resourceVersion: rv, includeObject: include, continueToken }));
  }
  return json(200, {
    kind: `${def.kind}List`,
    apiVersion: apiVersionOf(def),
    metadata: { resourceVersion: rv, ...(continueToken ? { continue: continueToken } : {}) },
    items,
  });
}

function patched(req: ResourceRequest, current: KubeObject, body: unknown): KubeObject {
  const type = mediaType(req.contentType);
  if (type === 'application/json-patch+json') return applyJsonPatch(current, body);
  if (type === 'application/merge-patch+json') return applyMergePatch(current, body);
  if (type === 'application/strategic-merge-patch+json') return strategicMerge(current, body) as KubeObject;
  throw unsupportedMediaType(type);
}

function dryRun(q: URLSearchParams): boolean {
  return q.getAll('dryRun').includes('All');
}

function serverSideApply(req: ResourceRequest, store: KubeStore): Reply {
  const { def, namespace, name = '' } = req.route;
  if (!req.query.get('fieldManager')) throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  const applied = asObject(parseYaml(req.body.toString('utf8')), 'apply');
  if (applied.metadata.name && applied.metadata.name !== name) {
    throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
  }
  delete applied.metadata.resourceVersion;
  delete applied.metadata.managedFields;
  const headers = fieldValidation(def, applied, req.query);
  const stored = store.get(def, namespace, name);
  if (!stored) {
    const obj = manage(req, { ...applied, metadata: { ...applied.metadata, name } }, undefined, applied, 'Apply');
    return render(req, store, 201, store.create(def, namespace, obj, { dryRun: dryRun(req.query) }), headers);
  }
  const current = toServedVersion(def, stored);
  const manager = managerName(req.query, req.userAgent);
  const conflicts = applyConflicts(current, applied, manager);
  const force = req.query.get('force') === 'true';
  if (conflicts.length && !force) throw applyConflictError(def, name, conflicts);
  const merged = strategicMerge(current, applied) as KubeObject;
  const owners = force ? takeOwnership(current.metadata.managedFields, conflicts) : current.metadata.managedFields;
  pruneUnapplied(merged, owners, manager, applied);
  return render(req, store, 200, store.update(def, namespace, name, manage(req, merged, owners, applied, 'Apply'), { dryRun: dryRun(req.query) }), headers);
}

function subresource(req: ResourceRequest, store: KubeStore): Reply {
  const { def, namespace, name = '', subresource: sub } = req.route;
  // approval (CSRs) writes status only, as status does.
  const opts = { dryRun: dryRun(req.query), subresource: sub === 'approval' ? 'status' : sub };
  if (sub === 'log') {
    if (req.method !== 'GET') throw methodNotAllowed('log supports GET only');
    const pod = store.require(def, namespace, name) as KubeObject & { spec?: { containers?: { name: string }[] } };
    const containers = pod.spec?.containers ?? [];
    const container = req.query.get('container') || containers[0]?.name || '';
    if (!containers.some((c) => c.name === container)) {
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    }
    if (req.query.get('follow') === 'true') return followLogs(store, pod, container, req.query);
    return text(200, podLogs(store, pod, container, logQuery(req.query)));
  }
  if (sub === 'eviction') {
    if (req.method !== 'POST') throw methodNotAllowed('eviction supports POST only');
    return json(201, evictPod(store, namespace ?? 'default', name, asObject(decodeBody(req.contentType, req.body), 'eviction')));
  }
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward') {
    // served on upgrade requests (src/kube/streams); a plain request gets the real server's answer
    throw badRequest('Upgrade request required');
  }
  if (sub === 'binding') {
    throw notImplemented(`${sub} is not supported by the k3sdaas embedded API`);
  }
  const current = store.require(def, namespace, name);
  if (sub === 'scale') {
    if (req.method === 'GET') return json(200, scaleOf(current, def.scalePaths));
    const body = decodeBody(req.contentType, req.body);
    const scale = req.method === 'PATCH' ? patched(req, scaleOf(current, def.scalePaths), body) : asObject(body, 'scale');
    const scaled = withScale(current, scale, def.scalePaths);
    return json(200, scaleOf(store.update(def, namespace, name, scaled, { dryRun: opts.dryRun }), def.scalePaths));
  }
  if (sub === 'finalize' && req.method === 'PUT') {
    return json(200, store.update(def, namespace, name, asObject(decodeBody(req.contentType, req.body), 'finalize'), opts));
  }
  if (req.method === 'GET') return render(req, store, 200, current);
  if (req.method === 'PUT') return json(200, store.update(def, namespace, name, asObject(decodeBody(req.contentType, req.body), sub ?? ''), opts));
  if (req.method === 'PATCH') return json(200, store.update(def, namespace, name, patched(req, current, decodeBody(req.contentType, req.body)), opts));
  throw methodNotAllowed(`${req.method} is not supported on ${def.plural}/${sub}`);
}

/** Records the writer in metadata.managedFields (Update for POST/PUT/PATCH, Apply for server-side apply), then admits. */
function manage(req: ResourceRequest, target: KubeObject, existing: unknown, carried: unknown, operation: 'Apply' | 'Update' = 'Update'): KubeObject {
  const fields = isPlainObject(carried) ? fieldsV1Of(withoutDirectives(carried) as KubeObject) : {};
  target.metadata = {
    ...target.metadata,
    managedFields: withManager(existing, { manager: managerName(req.query, req.userAgent), operation, apiVersion: apiVersionOf(req.route.def), fields }),
  };
  // the last step before a write: admission (RBAC escalation checks when enforcing)
  req.admit?.(req.route.def, req.route.namespace, target);
  return target;
}

/** The 409 a server-side apply answers when other managers own fields it would change. */
function applyConflictError(def: ResourceRequest['route']['def'], name: string, conflicts: ApplyConflict[]): KubeApiError {
  const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${pathText(c.path)}`);
  const message = conflicts.length === 1 ? `Apply failed with 1 conflict: ${lines[0]}` : `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  return new KubeApiError(409, 'Conflict', message, {
    name,
    group: def.group || undefined,
    kind: def.plural,
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: pathText(c.path) })),
  });
}

/** A strategic merge patch without its `$patch`/`$setElementOrder` directives. */
function withoutDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDirectives);
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('$')).map(([k, x]) => [k, withoutDirectives(x)]));
}

const POLICIES = ['Background', 'Foreground', 'Orphan'];

/** DeleteOptions from the body (meta/v1 DeleteOptions) and the query, the query winning as on a real server. */
function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const b = isPlainObject(body) ? body : {};
  const policy = q.get('propagationPolicy') ?? (b.propagationPolicy as string | undefined);
  if (policy !== undefined && policy !== null && !POLICIES.includes(policy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (policy && b.orphanDependents !== undefined) throw badRequest('orphanDependents: Invalid value: "true": orphanDependents and propagationPolicy cannot be both set');
  const graceText = q.get('gracePeriodSeconds');
  const grace = graceText !== null ? Number(graceText) : (b.gracePeriodSeconds as number | undefined);
  if (grace !== undefined && !Number.isInteger(grace)) throw badRequest(`gracePeriodSeconds: Invalid value: "${graceText ?? String(grace)}": must be an integer`);
  const pre = isPlainObject(b.preconditions) ? (b.preconditions as { uid?: string; resourceVersion?: string }) : undefined;
  return {
    dryRun: dryRun(q) || (Array.isArray(b.dryRun) && b.dryRun.includes('All')),
    propagationPolicy: (policy ?? (b.orphanDependents === true ? 'Orphan' : undefined)) as PropagationPolicy | undefined,
    gracePeriodSeconds: grace === undefined ? undefined : Math.max(0, grace),
    preconditions: pre,
  };
}

export function handleResource(req: ResourceRequest, store: KubeStore): Reply {
  const { def, namespace, name, subresource: sub } = req.route;
  if (REVIEW_KINDS.has(def.kind)) {
    if (req.method !== 'POST' || name) throw methodNotAllowed(`${req.method} is not supported on ${def.plural}: it only accepts create (POST)`);
    return handleReview(store, def, namespace, decodeBody(req.contentType, req.body), req.user ?? SERVER_IDENTITY);
  }
  requireVerb(req.method, req.route, req.query);
  if (sub) return subresource(req, store);
  const q = req.query;
  if (!name) {
    if (req.method === 'GET') return list(req, store);
    if (req.method === 'POST') {
      const obj = asObject(decodeBody(req.contentType, req.body), 'create');
      const headers = fieldValidation(def, obj, q);
      return render(req, store, 201, store.create(def, namespace, manage(req, obj, undefined, obj), { dryRun: dryRun(q) }), headers);
    }
    if (req.method === 'DELETE') {
      const items = store.list(def, { namespace, labels: parseLabelSelector(q.get('labelSelector')), fields: parseFieldSelector(q.get('fieldSelector'), def.kind) });
      const opts = deleteOptions(q, decodeBody(req.contentType, req.body));
      const deleted = items.map((o) => store.delete(def, o.metadata.namespace, o.metadata.name ?? '', opts));
      return json(200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: store.resourceVersion() }, items: deleted });
    }
    throw methodNotAllowed(`${req.method} is not supported on the ${def.plural} collection`);
  }
  switch (req.method) {
    case 'GET':
      if (isWatch(q)) return watch(req, store, [{ path: 'metadata.name', op: '=', value: name }]);
      return render(req, store, 200, store.require(def, namespace, name));
    case 'PUT': {
      const obj = asObject(decodeBody(req.contentType, req.body), 'update');
      const headers = fieldValidation(def, obj, q);
      const existing = obj.metadata.managedFields ?? store.get(def, namespace, name)?.metadata.managedFields;
      return render(req, store, 200, store.update(def, namespace, name, manage(req, obj, existing, obj), { dryRun: dryRun(q) }), headers);
    }
    case 'PATCH': {
      if (mediaType(req.contentType) === 'application/apply-patch+yaml') return serverSideApply(req, store);
      const stored = store.require(def, namespace, name);
      const current = toServedVersion(def, stored);
      const body = decodeBody(req.contentType, req.body);
      // Merge patches are checked (and pruned) as sent; a JSON patch is checked by its result.
      const jsonPatch = mediaType(req.contentType) === 'application/json-patch+json';
      const sent = jsonPatch ? undefined : fieldValidation(def, body, q);
      const next = patched(req, current, body);
      const headers = jsonPatch ? fieldValidation(def, next, q) : sent;
      const carried = jsonPatch ? undefined : body;
      return render(req, store, 200, store.update(def, namespace, name, manage(req, next, stored.metadata.managedFields, carried), { dryRun: dryRun(q) }), headers);
    }
    case 'DELETE': {
      const opts = deleteOptions(q, decodeBody(req.contentType, req.body));
      const gone = store.delete(def, namespace, name, opts);
      // still there (finalizers, grace period): the object with its deletionTimestamp, 200 as the real server
      if (!opts.dryRun && store.get(def, namespace, name)) return json(200, gone);
      if (def.kind === 'Pod' || def.kind === 'Namespace') return json(200, gone);
      return json(200, successStatus({ name, group: def.group || undefined, kind: def.plural, uid: gone.metadata.uid }));
    }
    default:
      throw new KubeApiError(405, 'MethodNotAllowed', `${req.method} is not supported on ${def.plural}`);
  }
}
