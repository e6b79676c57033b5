/** Server-side defaulting applied on create and update, per kind (a small subset of the real defaulters). */
import type { KubeObject } from './types.js';

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
  // workload defaulting as in K1's table (wip/k1 src/kube/defaults.ts), so the controllers see real defaults
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
};

export function applyDefaults(obj: KubeObject): void {
  defaulters[obj.kind ?? '']?.(obj);
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

/** Validation beyond the name: returns field causes (empty when valid). */
export function validate(obj: KubeObject): { field: string; message: string }[] {
  const causes: { field: string; message: string }[] = [];
  const spec = (obj as Any).spec ?? {};
  if (obj.kind === 'Pod') {
    if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
      causes.push({ field: 'spec.containers', message: 'Required value' });
    }
    (spec.containers ?? []).forEach((c: Any, i: number) => {
      if (!c.image) causes.push({ field: `spec.containers[${i}].image`, message: 'Required value' });
    });
  }
  if (obj.kind === 'Deployment' || obj.kind === 'ReplicaSet') {
    const labels = spec.template?.metadata?.labels ?? {};
    const want = spec.selector?.matchLabels;
    if (!want) causes.push({ field: 'spec.selector', message: 'Required value' });
    else if (Object.entries(want).some(([k, v]) => labels[k] !== v)) {
      causes.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` });
    }
    if (!Array.isArray(spec.template?.spec?.containers) || spec.template.spec.containers.length === 0) {
      causes.push({ field: 'spec.template.spec.containers', message: 'Required value' });
    }
  }
  return causes;
}
