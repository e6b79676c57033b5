/**
 * Server-side defaulting and validation applied on create and update: one table of per-kind rules (a subset of the
 * real defaulters and validators), plus the generic checks every object gets (storage size, custom resource schema).
 */
import { resourceForObject } from './registry.js';
import type { StatusCause } from './status.js';
import type { KubeObject } from './types.js';
import { checkObjectSize, defaultCustomResource, validateCustomResource } from './validation.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

let nextClusterIp = 10;

function defaultPodSpec(spec: Any): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Any[]) {
    const image = String(c.image ?? '');
    const tagged = /:[^/]+$/.test(image) || image.includes('@');
    c.imagePullPolicy ??= !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const p of (c.ports ?? []) as Any[]) p.protocol ??= 'TCP';
  }
}

const defaulters: Record<string, (o: Any) => void> = {
  Namespace(o) {
    o.spec ??= {};
    o.spec.finalizers ??= ['kubernetes'];
    o.status ??= { phase: 'Active' };
    o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
  },
  Pod(o) {
    o.spec ??= {};
    defaultPodSpec(o.spec);
    if (o.spec.serviceAccountName === undefined) o.spec.serviceAccountName = 'default';
    o.spec.serviceAccount ??= o.spec.serviceAccountName;
    o.status ??= { phase: 'Pending', qosClass: 'BestEffort' };
  },
  Service(o) {
    o.spec ??= {};
    o.spec.type ??= 'ClusterIP';
    o.spec.sessionAffinity ??= 'None';
    if (o.spec.clusterIP === undefined && o.spec.type !== 'ExternalName') {
      const n = nextClusterIp++;
      o.spec.clusterIP = `10.43.${Math.floor(n / 250)}.${(n % 250) + 1}`;
      o.spec.clusterIPs = [o.spec.clusterIP];
    }
    o.spec.ipFamilies ??= ['IPv4'];
    o.spec.ipFamilyPolicy ??= 'SingleStack';
    o.spec.internalTrafficPolicy ??= 'Cluster';
    for (const p of (o.spec.ports ?? []) as Any[]) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
    o.status ??= { loadBalancer: {} };
  },
  Secret(o) {
    o.type ??= 'Opaque';
    if (o.stringData) {
      o.data = { ...o.data };
      for (const [k, v] of Object.entries(o.stringData as Record<string, string>)) {
        o.data[k] = Buffer.from(v, 'utf8').toString('base64');
      }
      delete o.stringData;
    }
  },
  Deployment(o) {
    o.spec ??= {};
    o.spec.replicas ??= 1;
    o.spec.revisionHistoryLimit ??= 10;
    o.spec.progressDeadlineSeconds ??= 600;
    o.spec.strategy ??= {};
    o.spec.strategy.type ??= 'RollingUpdate';
    if (o.spec.strategy.type === 'RollingUpdate') {
      o.spec.strategy.rollingUpdate ??= { maxUnavailable: '25%', maxSurge: '25%' };
    }
    o.spec.template ??= {};
    o.spec.template.spec ??= {};
    defaultPodSpec(o.spec.template.spec);
    o.status ??= {};
  },
  ReplicaSet(o) {
    o.spec ??= {};
    o.spec.replicas ??= 1;
    o.spec.template ??= {};
    o.spec.template.spec ??= {};
    defaultPodSpec(o.spec.template.spec);
    o.status ??= { replicas: 0 };
  },
  ReplicationController(o) {
    o.spec ??= {};
    o.spec.replicas ??= 1;
    o.spec.selector ??= o.spec.template?.metadata?.labels;
    if (o.spec.template?.spec) defaultPodSpec(o.spec.template.spec);
    o.status ??= { replicas: 0 };
  },
  StatefulSet(o) {
    o.spec ??= {};
    o.spec.replicas ??= 1;
    o.spec.podManagementPolicy ??= 'OrderedReady';
    o.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    o.spec.revisionHistoryLimit ??= 10;
    o.spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
    if (o.spec.template?.spec) defaultPodSpec(o.spec.template.spec);
    o.status ??= { replicas: 0, availableReplicas: 0 };
  },
  DaemonSet(o) {
    o.spec ??= {};
    o.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
    o.spec.revisionHistoryLimit ??= 10;
    if (o.spec.template?.spec) defaultPodSpec(o.spec.template.spec);
    o.status ??= { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  },
  Job(o) {
    o.spec ??= {};
    if (o.spec.completions === undefined && o.spec.parallelism === undefined) o.spec.completions = 1;
    o.spec.parallelism ??= 1;
    o.spec.backoffLimit ??= 6;
    o.spec.completionMode ??= 'NonIndexed';
    o.spec.suspend ??= false;
    o.spec.podReplacementPolicy ??= 'TerminatingOrFailed';
    if (o.spec.template?.spec) defaultPodSpec(o.spec.template.spec);
    generateJobSelector(o);
    o.status ??= {};
  },
  CronJob(o) {
    o.spec ??= {};
    o.spec.concurrencyPolicy ??= 'Allow';
    o.spec.suspend ??= false;
    o.spec.successfulJobsHistoryLimit ??= 3;
    o.spec.failedJobsHistoryLimit ??= 1;
    const pod = o.spec.jobTemplate?.spec?.template?.spec;
    if (pod) defaultPodSpec(pod);
    o.status ??= {};
  },
  HorizontalPodAutoscaler(o) {
    o.spec ??= {};
    o.spec.minReplicas ??= 1;
    // With no target the autoscaler scales on 80% CPU utilization (v2 defaulting; v1 gets it through conversion).
    if (o.apiVersion === 'autoscaling/v1') o.spec.targetCPUUtilizationPercentage ??= 80;
    else if (!o.spec.metrics?.length) {
      o.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    }
    o.status ??= { currentReplicas: 0, desiredReplicas: 0 };
  },
  PersistentVolumeClaim(o) {
    o.spec ??= {};
    o.spec.volumeMode ??= 'Filesystem';
    o.status ??= { phase: 'Pending' };
  },
  PersistentVolume(o) {
    o.spec ??= {};
    o.spec.persistentVolumeReclaimPolicy ??= 'Retain';
    o.spec.volumeMode ??= 'Filesystem';
    o.status ??= { phase: 'Pending' };
  },
  StorageClass(o) {
    o.reclaimPolicy ??= 'Delete';
    o.volumeBindingMode ??= 'Immediate';
  },
  PodDisruptionBudget(o) {
    o.status ??= { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  },
  CustomResourceDefinition(o) {
    o.spec ??= {};
    o.spec.conversion ??= { strategy: 'None' };
    o.spec.names ??= {};
    o.spec.names.singular ??= String(o.spec.names.kind ?? '').toLowerCase();
    o.spec.names.listKind ??= `${o.spec.names.kind ?? ''}List`;
    o.status ??= { acceptedNames: { plural: '', kind: '' }, conditions: [], storedVersions: [] };
  },
};

/**
 * The Job strategy's generateSelector (it runs once the uid is set): unless `manualSelector`, the selector is the
 * job's `batch.kubernetes.io/controller-uid` and the template (and the job, as v1.32 shows it) carries the uid and
 * name labels, old and new spellings.
 */
function generateJobSelector(o: Any): void {
  const uid = o.metadata?.uid;
  if (!uid || o.spec.manualSelector || o.spec.selector) return;
  const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': o.metadata.name, 'controller-uid': uid, 'job-name': o.metadata.name };
  o.spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  o.spec.template ??= {};
  o.spec.template.metadata = { ...o.spec.template.metadata, labels: { ...o.spec.template.metadata?.labels, ...labels } };
  o.metadata.labels = { ...labels, ...o.metadata.labels };
}

export function applyDefaults(obj: KubeObject): void {
  const def = resourceForObject(obj.apiVersion, obj.kind);
  if (def?.crd) defaultCustomResource(def, obj);
  else defaulters[obj.kind ?? '']?.(obj);
}

/** Fields the server keeps across a full update (PUT) when the new object leaves them out. */
export function carryOver(current: KubeObject, next: KubeObject): void {
  const cur = current as Any;
  const nxt = next as Any;
  if (current.kind === 'Service' && nxt.spec && nxt.spec.clusterIP === undefined && cur.spec?.clusterIP) {
    nxt.spec.clusterIP = cur.spec.clusterIP;
    nxt.spec.clusterIPs ??= cur.spec.clusterIPs;
  }
  if (current.kind === 'Pod' && nxt.spec && nxt.spec.nodeName === undefined && cur.spec?.nodeName) {
    nxt.spec.nodeName = cur.spec.nodeName;
  }
}

/** ConfigMap and Secret payloads are limited to 1 MiB (core.MaxSecretSize). */
export const MAX_DATA_BYTES = 1024 * 1024;

/** Payload size as ValidateConfigMap/ValidateSecret count it: the bytes of the values (base64 fields decoded). */
function dataSize(o: Any, text: string[], base64: string[]): number {
  let total = 0;
  for (const f of text) for (const v of Object.values((o[f] ?? {}) as Record<string, string>)) total += Buffer.byteLength(String(v));
  for (const f of base64) for (const v of Object.values((o[f] ?? {}) as Record<string, string>)) total += Buffer.from(String(v), 'base64').length;
  return total;
}

/** field.TooLong on the root path, as kube-apiserver v1.32 words it (`[]: Too long: may not be more than … bytes`). */
function tooLong(o: Any, text: string[], base64: string[]): StatusCause[] {
  const size = dataSize(o, text, base64);
  return size > MAX_DATA_BYTES ? [{ field: '[]', message: `Too long: may not be more than ${MAX_DATA_BYTES} bytes`, reason: 'FieldValueTooLong' }] : [];
}

function selectorMatchesTemplate(spec: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  const labels = spec.template?.metadata?.labels ?? {};
  const want = spec.selector?.matchLabels;
  if (!want) causes.push({ field: 'spec.selector', message: 'Required value' });
  else if (Object.entries(want).some(([k, v]) => labels[k] !== v)) {
    causes.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` });
  }
  if (!Array.isArray(spec.template?.spec?.containers) || spec.template.spec.containers.length === 0) {
    causes.push({ field: 'spec.template.spec.containers', message: 'Required value' });
  }
  return causes;
}

function restartPolicyIn(pod: Any, field: string, allowed: string[]): StatusCause[] {
  const policy = pod?.restartPolicy;
  if (policy === undefined || allowed.includes(policy)) return [];
  return [{ field, message: `Unsupported value: "${policy}": supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`, reason: 'FieldValueNotSupported' }];
}

function podTemplateContainers(pod: Any, field: string): StatusCause[] {
  if (!Array.isArray(pod?.containers) || pod.containers.length === 0) return [{ field, message: 'Required value' }];
  return (pod.containers as Any[]).flatMap((c, i) => (c.image ? [] : [{ field: `${field}[${i}].image`, message: 'Required value' }]));
}

const validators: Record<string, (o: Any) => StatusCause[]> = {
  Pod: (o) => podTemplateContainers(o.spec, 'spec.containers'),
  Deployment: (o) => selectorMatchesTemplate(o.spec ?? {}),
  ReplicaSet: (o) => selectorMatchesTemplate(o.spec ?? {}),
  StatefulSet: (o) => selectorMatchesTemplate(o.spec ?? {}),
  DaemonSet: (o) => selectorMatchesTemplate(o.spec ?? {}),
  Job: (o) => [
    ...podTemplateContainers(o.spec?.template?.spec, 'spec.template.spec.containers'),
    ...restartPolicyIn(o.spec?.template?.spec, 'spec.template.spec.restartPolicy', ['OnFailure', 'Never']),
  ],
  CronJob: (o) => [
    ...(o.spec?.schedule ? [] : [{ field: 'spec.schedule', message: 'Required value' }]),
    ...podTemplateContainers(o.spec?.jobTemplate?.spec?.template?.spec, 'spec.jobTemplate.spec.template.spec.containers'),
    ...restartPolicyIn(o.spec?.jobTemplate?.spec?.template?.spec, 'spec.jobTemplate.spec.template.spec.restartPolicy', ['OnFailure', 'Never']),
  ],
  ConfigMap: (o) => tooLong(o, ['data'], ['binaryData']),
  Secret: (o) => tooLong(o, [], ['data']),
  HorizontalPodAutoscaler: (o) => [
    ...(o.spec?.scaleTargetRef?.name ? [] : [{ field: 'spec.scaleTargetRef.name', message: 'Required value' }]),
    ...(Number(o.spec?.maxReplicas) >= 1 ? [] : [{ field: 'spec.maxReplicas', message: `Invalid value: ${o.spec?.maxReplicas ?? 0}: must be greater than or equal to 1` }]),
  ],
  CustomResourceDefinition: validateCrd,
};

function validateCrd(o: Any): StatusCause[] {
  const spec = o.spec ?? {};
  const causes: StatusCause[] = [];
  const names = spec.names ?? {};
  if (!spec.group) causes.push({ field: 'spec.group', message: 'Required value' });
  if (!names.plural) causes.push({ field: 'spec.names.plural', message: 'Required value' });
  if (!names.kind) causes.push({ field: 'spec.names.kind', message: 'Required value' });
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') causes.push({ field: 'spec.scope', message: `Unsupported value: "${spec.scope ?? ''}": supported values: "Cluster", "Namespaced"` });
  if (spec.group && names.plural && o.metadata.name !== `${names.plural}.${spec.group}`) {
    causes.push({ field: 'metadata.name', message: `Invalid value: "${o.metadata.name}": must be spec.names.plural+"."+spec.group` });
  }
  const versions: Any[] = spec.versions ?? [];
  if (versions.length === 0) causes.push({ field: 'spec.versions', message: 'Invalid value: null: must have exactly one version marked as storage version' });
  else if (versions.filter((v) => v.storage).length !== 1) {
    causes.push({ field: 'spec.versions', message: `Invalid value: ${JSON.stringify(versions.map((v) => v.name))}: must have exactly one version marked as storage version` });
  }
  versions.forEach((v, i) => {
    if (!v.schema?.openAPIV3Schema) causes.push({ field: `spec.versions[${i}].schema.openAPIV3Schema`, message: 'Required value: schemas are required' });
  });
  return causes;
}

/** Validation beyond the name: returns field causes (empty when valid); throws for objects too large to store. */
export function validate(obj: KubeObject): StatusCause[] {
  const causes = [...metadataCauses(obj), ...(validators[obj.kind ?? '']?.(obj as Any) ?? [])];
  const def = resourceForObject(obj.apiVersion, obj.kind);
  if (def?.crd) causes.push(...validateCustomResource(def, obj));
  if (causes.length === 0) checkObjectSize(obj);
  return causes;
}

/** Total size of all annotations (keys and values), as ValidateAnnotationsSize limits it. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function metadataCauses(obj: KubeObject): StatusCause[] {
  const size = Object.entries(obj.metadata.annotations ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  return size > MAX_ANNOTATIONS_BYTES
    ? [{ field: 'metadata.annotations', message: `Too long: may not be more than ${MAX_ANNOTATIONS_BYTES} bytes`, reason: 'FieldValueTooLong' }]
    : [];
}
