/**
 * A hand-rolled decoder for the Kubernetes protobuf envelope (`k8s\0` + runtime.Unknown) and the few generated
 * k8s.io/api types kubectl 1.32 sends as protobuf (`kubectl create namespace|configmap|secret|service|deployment`).
 * Field numbers follow k8s.io/api and k8s.io/apimachinery generated.proto. Decodes to the JSON shape (zero values
 * dropped as Go's `omitempty` would, pointer fields kept).
 */
import { KubeApiError, badRequest } from './status.js';
import type { KubeObject } from './types.js';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type FieldType =
  | 'string' | 'bytes' | 'int' | 'int?' | 'bool' | 'bool?' | 'strings'
  | 'mapss' | 'mapsb' | 'mapsq' | 'intorstr' | 'time' | 'skip'
  | { msg: Schema } | { list: Schema } | { inline: Schema };
export type Schema = Record<number, [string, FieldType]>;

interface RawField {
  field: number;
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

export class ProtoReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  private varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }

  fields(): RawField[] {
    const out: RawField[] = [];
    while (this.pos < this.buf.length) {
      const tag = Number(this.varint());
      const field = tag >>> 3;
      const wire = tag & 7;
      if (wire === 0) out.push({ field, wire, varint: this.varint() });
      else if (wire === 2) {
        const len = Number(this.varint());
        if (this.pos + len > this.buf.length) throw badRequest('protobuf: truncated field');
        out.push({ field, wire, bytes: this.buf.subarray(this.pos, this.pos + len) });
        this.pos += len;
      } else if (wire === 1) this.pos += 8;
      else if (wire === 5) this.pos += 4;
      else throw badRequest(`protobuf: unsupported wire type ${wire}`);
    }
    return out;
  }
}

function toInt(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function mapEntry(bytes: Buffer): [string, Buffer | undefined] {
  let key = '';
  let value: Buffer | undefined;
  for (const f of new ProtoReader(bytes).fields()) {
    if (f.field === 1) key = f.bytes?.toString('utf8') ?? '';
    if (f.field === 2) value = f.bytes;
  }
  return [key, value];
}

function intOrString(bytes: Buffer): number | string {
  const m = decodeMessage(bytes, { 1: ['type', 'int'], 2: ['intVal', 'int'], 3: ['strVal', 'string'] });
  return m.type === 1 ? String(m.strVal ?? '') : Number(m.intVal ?? 0);
}

export function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of new ProtoReader(buf).fields()) {
    const spec = schema[f.field];
    if (!spec) continue;
    const [name, type] = spec;
    const text = () => f.bytes?.toString('utf8') ?? '';
    if (type === 'skip') continue;
    if (type === 'string') {
      if (text() !== '') out[name] = text();
    } else if (type === 'bytes') out[name] = (f.bytes ?? Buffer.alloc(0)).toString('base64');
    else if (type === 'int' || type === 'int?') {
      const n = toInt(f.varint ?? 0n);
      if (n !== 0 || type === 'int?') out[name] = n;
    } else if (type === 'bool' || type === 'bool?') {
      const b = (f.varint ?? 0n) !== 0n;
      if (b || type === 'bool?') out[name] = b;
    } else if (type === 'strings') ((out[name] ??= []) as string[]).push(text());
    else if (type === 'intorstr') out[name] = intOrString(f.bytes ?? Buffer.alloc(0));
    else if (type === 'time') {
      // A zero metav1.Time is sent as an empty message: JSON's null, omitted.
      const t = decodeMessage(f.bytes ?? Buffer.alloc(0), { 1: ['seconds', 'int'], 2: ['nanos', 'int'] });
      if (t.seconds !== undefined) out[name] = new Date(Number(t.seconds) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    }
    else if (type === 'mapss' || type === 'mapsb' || type === 'mapsq') {
      const [k, v] = mapEntry(f.bytes ?? Buffer.alloc(0));
      const value = v ?? Buffer.alloc(0);
      const map = (out[name] ??= {}) as Record<string, string>;
      if (type === 'mapss') map[k] = value.toString('utf8');
      else if (type === 'mapsb') map[k] = value.toString('base64');
      else map[k] = String(decodeMessage(value, { 1: ['string', 'string'] }).string ?? '');
    } else if ('msg' in type) out[name] = decodeMessage(f.bytes ?? Buffer.alloc(0), type.msg);
    else if ('inline' in type) Object.assign(out, decodeMessage(f.bytes ?? Buffer.alloc(0), type.inline)); // `json:",inline"`
    else ((out[name] ??= []) as unknown[]).push(decodeMessage(f.bytes ?? Buffer.alloc(0), type.list));
  }
  return out;
}

// === schemas (k8s.io generated.proto field numbers) ===

const OwnerReference: Schema = {
  1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'],
  6: ['controller', 'bool?'], 7: ['blockOwnerDeletion', 'bool?'],
};
export const ObjectMeta: Schema = {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 5: ['uid', 'string'],
  6: ['resourceVersion', 'string'], 7: ['generation', 'int'], 8: ['creationTimestamp', 'skip'],
  11: ['labels', 'mapss'], 12: ['annotations', 'mapss'], 13: ['ownerReferences', { list: OwnerReference }],
  14: ['finalizers', 'strings'],
};
const LabelSelector: Schema = {
  1: ['matchLabels', 'mapss'],
  2: ['matchExpressions', { list: { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'strings'] } }],
};
const ContainerPort: Schema = {
  1: ['name', 'string'], 2: ['hostPort', 'int'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'],
};
const EnvVar: Schema = { 1: ['name', 'string'], 2: ['value', 'string'] };
const ResourceRequirements: Schema = { 1: ['limits', 'mapsq'], 2: ['requests', 'mapsq'] };
const VolumeMount: Schema = { 1: ['name', 'string'], 2: ['readOnly', 'bool'], 3: ['mountPath', 'string'], 4: ['subPath', 'string'] };
const Container: Schema = {
  1: ['name', 'string'], 2: ['image', 'string'], 3: ['command', 'strings'], 4: ['args', 'strings'],
  5: ['workingDir', 'string'], 6: ['ports', { list: ContainerPort }], 7: ['env', { list: EnvVar }],
  8: ['resources', { msg: ResourceRequirements }], 9: ['volumeMounts', { list: VolumeMount }],
  13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'], 20: ['terminationMessagePolicy', 'string'],
  16: ['stdin', 'bool'], 18: ['tty', 'bool'],
};
export const PodSpec: Schema = {
  2: ['containers', { list: Container }], 20: ['initContainers', { list: Container }], 3: ['restartPolicy', 'string'],
  4: ['terminationGracePeriodSeconds', 'int?'], 6: ['dnsPolicy', 'string'], 7: ['nodeSelector', 'mapss'],
  8: ['serviceAccountName', 'string'], 10: ['nodeName', 'string'], 11: ['hostNetwork', 'bool'],
  16: ['hostname', 'string'], 19: ['schedulerName', 'string'],
};
const PodTemplateSpec: Schema = { 1: ['metadata', { msg: ObjectMeta }], 2: ['spec', { msg: PodSpec }] };
const DeploymentSpec: Schema = {
  1: ['replicas', 'int?'], 2: ['selector', { msg: LabelSelector }], 3: ['template', { msg: PodTemplateSpec }],
  4: ['strategy', { msg: { 1: ['type', 'string'], 2: ['rollingUpdate', { msg: { 1: ['maxUnavailable', 'intorstr'], 2: ['maxSurge', 'intorstr'] } }] } }],
  5: ['minReadySeconds', 'int'], 6: ['revisionHistoryLimit', 'int?'], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'int?'],
};
const ServicePort: Schema = {
  1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int'], 4: ['targetPort', 'intorstr'],
  5: ['nodePort', 'int'], 6: ['appProtocol', 'string'],
};
const ServiceSpec: Schema = {
  1: ['ports', { list: ServicePort }], 2: ['selector', 'mapss'], 3: ['clusterIP', 'string'], 4: ['type', 'string'],
  5: ['externalIPs', 'strings'], 7: ['sessionAffinity', 'string'], 10: ['externalName', 'string'],
  17: ['ipFamilyPolicy', 'string'], 18: ['clusterIPs', 'strings'], 19: ['ipFamilies', 'strings'],
};
const meta: [string, FieldType] = ['metadata', { msg: ObjectMeta }];
const JobSpec: Schema = {
  1: ['parallelism', 'int?'], 2: ['completions', 'int?'], 3: ['activeDeadlineSeconds', 'int?'], 4: ['selector', { msg: LabelSelector }],
  5: ['manualSelector', 'bool?'], 6: ['template', { msg: PodTemplateSpec }], 7: ['backoffLimit', 'int?'],
  8: ['ttlSecondsAfterFinished', 'int?'], 9: ['completionMode', 'string'], 10: ['suspend', 'bool?'],
  12: ['backoffLimitPerIndex', 'int?'], 13: ['maxFailedIndexes', 'int?'], 14: ['podReplacementPolicy', 'string'], 15: ['managedBy', 'string'],
};
const CronJobSpec: Schema = {
  1: ['schedule', 'string'], 2: ['startingDeadlineSeconds', 'int?'], 3: ['concurrencyPolicy', 'string'], 4: ['suspend', 'bool?'],
  5: ['jobTemplate', { msg: { 1: meta, 2: ['spec', { msg: JobSpec }] } }], 6: ['successfulJobsHistoryLimit', 'int?'],
  7: ['failedJobsHistoryLimit', 'int?'], 8: ['timeZone', 'string'],
};
const DeleteOptions: Schema = {
  1: ['gracePeriodSeconds', 'int?'], 2: ['preconditions', { msg: { 1: ['uid', 'string'], 2: ['resourceVersion', 'string'] } }],
  3: ['orphanDependents', 'bool?'], 4: ['propagationPolicy', 'string'], 5: ['dryRun', 'strings'],
};
const PolicyRule: Schema = {
  1: ['verbs', 'strings'], 2: ['apiGroups', 'strings'], 3: ['resources', 'strings'], 4: ['resourceNames', 'strings'], 5: ['nonResourceURLs', 'strings'],
};
const Subject: Schema = { 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] };
const RoleRef: Schema = { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] };
const binding: Schema = { 1: meta, 2: ['subjects', { list: Subject }], 3: ['roleRef', { msg: RoleRef }] };
const IngressBackend: Schema = {
  4: ['service', { msg: { 1: ['name', 'string'], 2: ['port', { msg: { 1: ['name', 'string'], 2: ['number', 'int'] } }] } }],
  3: ['resource', { msg: { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] } }],
};
const IngressSpec: Schema = {
  4: ['ingressClassName', 'string'], 1: ['defaultBackend', { msg: IngressBackend }],
  2: ['tls', { list: { 1: ['hosts', 'strings'], 2: ['secretName', 'string'] } }],
  3: ['rules', { list: {
    1: ['host', 'string'],
    2: ['ingressRuleValue', { inline: { 1: ['http', { msg: { 1: ['paths', { list: { 1: ['path', 'string'], 3: ['pathType', 'string'], 2: ['backend', { msg: IngressBackend }] } }] } }] } }],
  } }],
};
const CsrCondition: Schema = {
  1: ['type', 'string'], 6: ['status', 'string'], 2: ['reason', 'string'], 3: ['message', 'string'],
  4: ['lastUpdateTime', 'time'], 5: ['lastTransitionTime', 'time'],
};

/** Top-level schemas by `apiVersion/kind`. */
export const KIND_SCHEMAS: Record<string, Schema> = {
  'v1/Namespace': { 1: meta, 2: ['spec', { msg: { 1: ['finalizers', 'strings'] } }] },
  'v1/ConfigMap': { 1: meta, 2: ['data', 'mapss'], 3: ['binaryData', 'mapsb'], 4: ['immutable', 'bool?'] },
  'v1/Secret': { 1: meta, 2: ['data', 'mapsb'], 3: ['type', 'string'], 4: ['stringData', 'mapss'], 5: ['immutable', 'bool?'] },
  'v1/Service': { 1: meta, 2: ['spec', { msg: ServiceSpec }] },
  'v1/Pod': { 1: meta, 2: ['spec', { msg: PodSpec }] },
  'v1/ServiceAccount': { 1: meta },
  'apps/v1/Deployment': { 1: meta, 2: ['spec', { msg: DeploymentSpec }] },
  'v1/ResourceQuota': { 1: meta, 2: ['spec', { msg: { 1: ['hard', 'mapsq'], 2: ['scopes', 'strings'] } }] },
  'batch/v1/Job': { 1: meta, 2: ['spec', { msg: JobSpec }] },
  'networking.k8s.io/v1/Ingress': { 1: meta, 2: ['spec', { msg: IngressSpec }] },
  'batch/v1/CronJob': { 1: meta, 2: ['spec', { msg: CronJobSpec }] },
  'autoscaling/v1/HorizontalPodAutoscaler': {
    1: meta,
    2: ['spec', { msg: {
      1: ['scaleTargetRef', { msg: { 1: ['kind', 'string'], 2: ['name', 'string'], 3: ['apiVersion', 'string'] } }],
      2: ['minReplicas', 'int?'], 3: ['maxReplicas', 'int'], 4: ['targetCPUUtilizationPercentage', 'int?'],
    } }],
  },
  'policy/v1/Eviction': { 1: meta, 2: ['deleteOptions', { msg: DeleteOptions }] },
  'policy/v1/PodDisruptionBudget': {
    1: meta,
    2: ['spec', { msg: { 1: ['minAvailable', 'intorstr'], 2: ['selector', { msg: LabelSelector }], 3: ['maxUnavailable', 'intorstr'], 4: ['unhealthyPodEvictionPolicy', 'string'] } }],
  },
  'authentication.k8s.io/v1/TokenRequest': {
    1: meta,
    2: ['spec', { msg: {
      1: ['audiences', 'strings'], 4: ['expirationSeconds', 'int?'],
      3: ['boundObjectRef', { msg: { 1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'] } }],
    } }],
  },
  'rbac.authorization.k8s.io/v1/Role': { 1: meta, 2: ['rules', { list: PolicyRule }] },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    1: meta, 2: ['rules', { list: PolicyRule }], 3: ['aggregationRule', { msg: { 1: ['clusterRoleSelectors', { list: LabelSelector }] } }],
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': binding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': binding,
  'scheduling.k8s.io/v1/PriorityClass': { 1: meta, 2: ['value', 'int'], 3: ['globalDefault', 'bool'], 4: ['description', 'string'], 5: ['preemptionPolicy', 'string'] },
  'certificates.k8s.io/v1/CertificateSigningRequest': {
    1: meta,
    2: ['spec', { msg: {
      1: ['request', 'bytes'], 2: ['username', 'string'], 3: ['uid', 'string'], 4: ['groups', 'strings'], 5: ['usages', 'strings'],
      6: ['extra', 'skip'], 7: ['signerName', 'string'], 8: ['expirationSeconds', 'int?'],
    } }],
    3: ['status', { msg: { 1: ['conditions', { list: CsrCondition }], 2: ['certificate', 'bytes'] } }],
  },
};

const TypeMeta: Schema = { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] };

export interface UnknownEnvelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
  contentEncoding: string;
  contentType: string;
}

/** Splits `k8s\0` + runtime.Unknown into its type and raw bytes. */
export function decodeEnvelope(body: Buffer): UnknownEnvelope {
  if (body.length < 4 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw badRequest('protobuf body does not start with the k8s\\0 magic prefix');
  }
  const env: UnknownEnvelope = { apiVersion: '', kind: '', raw: Buffer.alloc(0), contentEncoding: '', contentType: '' };
  for (const f of new ProtoReader(body.subarray(4)).fields()) {
    if (f.field === 1 && f.bytes) Object.assign(env, decodeMessage(f.bytes, TypeMeta));
    if (f.field === 2 && f.bytes) env.raw = f.bytes;
    if (f.field === 3) env.contentEncoding = f.bytes?.toString('utf8') ?? '';
    if (f.field === 4) env.contentType = f.bytes?.toString('utf8') ?? '';
  }
  return env;
}

/** Decodes a protobuf request body to the object's JSON form; kinds without a schema are refused (415), never truncated. */
export function decodeKubeProtobuf(body: Buffer): KubeObject {
  const env = decodeEnvelope(body);
  if (env.contentEncoding) throw badRequest(`protobuf content encoding ${env.contentEncoding} is not supported`);
  const schema = KIND_SCHEMAS[`${env.apiVersion}/${env.kind}`];
  if (!schema) {
    throw new KubeApiError(415, 'UnsupportedMediaType', `the k3sdaas embedded API cannot decode ${env.apiVersion} ${env.kind} from protobuf; send it as application/json`);
  }
  const obj = decodeMessage(env.raw, schema);
  return { apiVersion: env.apiVersion, kind: env.kind, ...obj, metadata: (obj.metadata ?? {}) as KubeObject['metadata'] };
}
