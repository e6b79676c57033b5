/**
 * The review APIs, answered from the same RBAC evaluator that enforces requests (never stored):
 * authorization.k8s.io SelfSubjectAccessReview (`kubectl auth can-i`), SubjectAccessReview,
 * LocalSubjectAccessReview, SelfSubjectRulesReview (`kubectl auth can-i --list`) and authentication.k8s.io
 * SelfSubjectReview (`kubectl auth whoami`).
 */
import { KIND_SCHEMAS, ObjectMeta, type Schema } from './protobuf.js';
import { apiVersionOf, type ResourceDef } from './registry.js';
import { json, type Reply } from './reply.js';
import { authorize, rulesFor, type Attributes, type UserInfo } from './rbac.js';
import { badRequest, invalid } from './status.js';
import { isPlainObject, type KubeObject } from './types.js';

// kubectl sends reviews as protobuf: their generated.proto field numbers (k8s.io/api/authorization/v1),
// registered beside the protobuf decoder's own kinds.
const ResourceAttributes: Schema = {
  1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'],
  5: ['resource', 'string'], 6: ['subresource', 'string'], 7: ['name', 'string'],
};
const NonResourceAttributes: Schema = { 1: ['path', 'string'], 2: ['verb', 'string'] };
const accessSpec: Schema = { 1: ['resourceAttributes', { msg: ResourceAttributes }], 2: ['nonResourceAttributes', { msg: NonResourceAttributes }] };
const subjectSpec: Schema = { ...accessSpec, 3: ['user', 'string'], 4: ['groups', 'strings'], 6: ['uid', 'string'] };
Object.assign(KIND_SCHEMAS, {
  'authorization.k8s.io/v1/SelfSubjectAccessReview': { 1: ['metadata', { msg: ObjectMeta }], 2: ['spec', { msg: accessSpec }] },
  'authorization.k8s.io/v1/SubjectAccessReview': { 1: ['metadata', { msg: ObjectMeta }], 2: ['spec', { msg: subjectSpec }] },
  'authorization.k8s.io/v1/LocalSubjectAccessReview': { 1: ['metadata', { msg: ObjectMeta }], 2: ['spec', { msg: subjectSpec }] },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: ['metadata', { msg: ObjectMeta }], 2: ['spec', { msg: { 1: ['namespace', 'string'] } }] },
  'authentication.k8s.io/v1/SelfSubjectReview': { 1: ['metadata', { msg: ObjectMeta }] },
} satisfies Record<string, Schema>);

export const REVIEW_KINDS: ReadonlySet<string> = new Set([
  'SelfSubjectAccessReview',
  'SubjectAccessReview',
  'LocalSubjectAccessReview',
  'SelfSubjectRulesReview',
  'SelfSubjectReview',
]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function attributesOf(kind: string, spec: Any): Attributes {
  const ra = spec?.resourceAttributes;
  const nra = spec?.nonResourceAttributes;
  if (ra && nra) throw invalid(kind, '', [{ field: 'spec.resourceAttributes', message: 'Invalid value: "resourceAttributes": cannot be specified in combination with nonResourceAttributes' }]);
  if (nra) return { nonResource: { verb: String(nra.verb ?? ''), path: String(nra.path ?? '') } };
  if (ra) {
    return {
      resource: {
        verb: String(ra.verb ?? ''),
        group: String(ra.group ?? ''),
        resource: String(ra.resource ?? ''),
        ...(ra.subresource ? { subresource: String(ra.subresource) } : {}),
        ...(ra.name ? { name: String(ra.name) } : {}),
        ...(ra.namespace ? { namespace: String(ra.namespace) } : {}),
      },
    };
  }
  throw invalid(kind, '', [{ field: 'spec.resourceAttributes', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
}

/** Answers a POST of a review object for `user`, the requester (impersonated identity included). */
export function handleReview(store: import('./store.js').KubeStore, def: ResourceDef, namespace: string | undefined, body: unknown, user: UserInfo): Reply {
  if (!isPlainObject(body)) throw badRequest(`${def.kind}: the request body must be a JSON object`);
  const input = body as KubeObject & { spec?: Any };
  const spec: Any = isPlainObject(input.spec) ? input.spec : {};
  const out = (status: unknown, extraSpec?: unknown): Reply =>
    json(201, {
      kind: def.kind,
      apiVersion: apiVersionOf(def),
      metadata: { ...(input.metadata ?? {}), creationTimestamp: null },
      spec: extraSpec ?? spec,
      status,
    });
  const decide = (who: UserInfo, attrs: Attributes) => {
    const d = authorize(store, who, attrs);
    return { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
  };
  switch (def.kind) {
    case 'SelfSubjectReview':
      return out({ userInfo: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) } }, {});
    case 'SelfSubjectAccessReview':
      return out(decide(user, attributesOf(def.kind, spec)));
    case 'SelfSubjectRulesReview': {
      const rules = rulesFor(store, user, String(spec.namespace ?? ''));
      return out({ ...rules, incomplete: false });
    }
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview': {
      if (!spec.user && !(Array.isArray(spec.groups) && spec.groups.length)) {
        throw invalid(def.kind, '', [{ field: 'spec.user', message: 'Invalid value: "": at least one of user or group must be specified' }]);
      }
      const attrs = attributesOf(def.kind, spec);
      if (def.kind === 'LocalSubjectAccessReview' && 'resource' in attrs && attrs.resource.namespace !== namespace) {
        throw invalid(def.kind, '', [{ field: 'spec.resourceAttributes.namespace', message: `Invalid value: "${'resource' in attrs ? attrs.resource.namespace ?? '' : ''}": must match metadata.namespace` }]);
      }
      const who: UserInfo = { username: String(spec.user ?? ''), groups: (spec.groups ?? []).map(String), ...(spec.uid ? { uid: String(spec.uid) } : {}) };
      return out(decide(who, attrs));
    }
    default:
      throw badRequest(`${def.kind} is not a review`);
  }
}
