import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { resourceForKind } from '../registry.js';
import { Simulation } from '../simulation.js';
import { KubeStore } from '../store.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const POD = resourceForKind('Pod');
const JOB = resourceForKind('Job');

let sim: Simulation | undefined;
afterEach(() => sim?.stop());

function cluster(nodes = ['node-a']) {
  // the store stamps creationTimestamp from the wall clock: the cluster clock starts there
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const store = new KubeStore();
  for (const n of nodes) store.registerNode(n);
  sim = new Simulation(store, { clock, podStartDelayMs: 100, caPem: 'CA', onError: (_i, e) => { throw e; } });
  const tick = async (ms = 0) => {
    await clock.advance(ms);
    for (let i = 0; i < 5; i++) await clock.advance(0);
  };
  const pods = () => store.list(POD) as Any[];
  return { clock, store, tick, pods };
}

const template = (command: string[], restartPolicy = 'Never') => ({ metadata: { labels: { app: 'x' } }, spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox:1.36', command }] } });

describe('controllers on a manual clock', () => {
  it('a CronJob creates a Job at its scheduled minute; the job runs and completes', async () => {
    const { store, tick, clock } = cluster();
    store.create(resourceForKind('CronJob'), 'default', { metadata: { name: 'tick' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: template(['echo', 'tock']) } } } });
    await tick();
    expect(store.list(JOB)).toHaveLength(0);
    const due = Math.ceil((clock.now() + 1) / 300_000) * 300_000;
    await tick(due - clock.now() - 1);
    expect(store.list(JOB)).toHaveLength(0);
    await tick(1);
    const jobs = store.list(JOB) as Any[];
    const dueIso = new Date(due).toISOString().replace('.000Z', 'Z');
    expect(jobs.map((j) => j.metadata.name)).toEqual([`tick-${due / 60000}`]);
    expect(jobs[0].metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(dueIso);
    await tick(200);
    const job = store.get(JOB, 'default', jobs[0].metadata.name) as Any;
    expect(job.status.conditions.map((c: Any) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    const cj = store.get(resourceForKind('CronJob'), 'default', 'tick') as Any;
    expect(cj.status.lastScheduleTime).toBe(dueIso);
    expect(cj.status.active).toBeUndefined();
    // four more runs: history keeps three successful jobs
    for (let i = 0; i < 4; i++) await tick(5 * 60_000);
    expect(store.list(JOB)).toHaveLength(3);
  });

  it('a failing Job retries with back-off and then fails with BackoffLimitExceeded', async () => {
    const { store, tick, pods } = cluster();
    store.create(JOB, 'default', { metadata: { name: 'bad' }, spec: { backoffLimit: 1, template: template(['false']) } });
    await tick(200);
    expect(pods().map((p) => p.status.phase)).toEqual(['Failed']);
    await tick(9_000);
    expect(pods()).toHaveLength(1);
    await tick(1_200);
    expect(pods()).toHaveLength(2);
    await tick(200);
    const job = store.get(JOB, 'default', 'bad') as Any;
    expect(job.status.failed).toBe(2);
    expect(job.status.conditions.find((c: Any) => c.type === 'Failed').reason).toBe('BackoffLimitExceeded');
  });

  it('restartPolicy Always: a crashing container restarts with back-off (CrashLoopBackOff)', async () => {
    const { store, tick, pods } = cluster();
    store.create(POD, 'default', { metadata: { name: 'crash' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo boom; exit 1'] }] } });
    await tick(200);
    let cs = pods()[0].status.containerStatuses[0];
    expect(cs.state.waiting.reason).toBe('CrashLoopBackOff');
    expect(cs.lastState.terminated.exitCode).toBe(1);
    await tick(10_000);
    await tick(20_000);
    cs = pods()[0].status.containerStatuses[0];
    expect(cs.restartCount).toBe(2);
    expect(pods()[0].status.phase).toBe('Running');
  });

  it('a StatefulSet creates its pods in order, each after the previous is Ready, with a ControllerRevision', async () => {
    const { store, tick, pods } = cluster();
    store.create(resourceForKind('StatefulSet'), 'default', { metadata: { name: 'db' }, spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'x' } }, template: template(['sleep', 'infinity'], 'Always') } });
    await tick();
    expect(pods().map((p) => p.metadata.name)).toEqual(['db-0']);
    await tick(150);
    expect(pods().map((p) => p.metadata.name)).toEqual(['db-0', 'db-1']);
    await tick(150);
    await tick(150);
    expect(pods().map((p) => [p.metadata.name, p.spec.hostname, p.status.phase])).toEqual([['db-0', 'db-0', 'Running'], ['db-1', 'db-1', 'Running'], ['db-2', 'db-2', 'Running']]);
    const revs = store.list(resourceForKind('ControllerRevision')) as Any[];
    expect(revs).toHaveLength(1);
    expect(pods()[0].metadata.labels['controller-revision-hash']).toBe(revs[0].metadata.name);
    const sts = store.get(resourceForKind('StatefulSet'), 'default', 'db') as Any;
    expect(sts.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentRevision: revs[0].metadata.name });
  });

  it('a DaemonSet runs one pod per node, a new node gets one too', async () => {
    const { store, tick, pods } = cluster(['node-a', 'node-b']);
    store.create(resourceForKind('DaemonSet'), 'default', { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'x' } }, template: template(['sleep', 'infinity'], 'Always') } });
    await tick(200);
    expect(pods().map((p) => p.spec.nodeName).sort()).toEqual(['node-a', 'node-b']);
    store.registerNode('node-c');
    await tick(200);
    expect(pods().map((p) => p.spec.nodeName).sort()).toEqual(['node-a', 'node-b', 'node-c']);
    expect((store.get(resourceForKind('DaemonSet'), 'default', 'agent') as Any).status).toMatchObject({ desiredNumberScheduled: 3, numberReady: 3 });
  });

  it('graceful deletion: Terminating, SIGTERM, then gone; namespaces get kube-root-ca.crt', async () => {
    const { store, tick } = cluster();
    store.create(POD, 'default', { metadata: { name: 's' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '600'] }] } });
    await tick(200);
    const marked = store.delete(POD, 'default', 's') as Any;
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(30);
    await tick();
    expect(store.get(POD, 'default', 's')).toBeUndefined();
    expect((store.get(resourceForKind('ConfigMap'), 'default', 'kube-root-ca.crt') as Any).data['ca.crt']).toBe('CA');
  });

  it('nodes renew their lease in kube-node-lease every 10 s', async () => {
    const { store, tick } = cluster();
    await tick();
    const lease = () => store.get(resourceForKind('Lease'), 'kube-node-lease', 'node-a') as Any;
    const first = lease().spec.renewTime;
    expect(lease().spec).toMatchObject({ holderIdentity: 'node-a', leaseDurationSeconds: 40 });
    await tick(10_000);
    expect(Date.parse(lease().spec.renewTime) - Date.parse(first)).toBe(10_000);
  });
});
