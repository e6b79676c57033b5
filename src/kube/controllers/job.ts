/**
 * Job: runs pods of its template to `completions` successes with at most `parallelism` at once (NonIndexed or
 * Indexed), replaces failed pods after a back-off, and finishes with SuccessCriteriaMet+Complete or
 * FailureTarget+Failed (BackoffLimitExceeded, DeadlineExceeded) — so `kubectl wait --for=condition=complete` returns.
 */
import { timestamp } from '../clock.js';
import { recordEvent } from '../events.js';
import { isPodReady } from '../kubelet.js';
import { resourceForKind } from '../registry.js';
import { deepEqual } from '../types.js';
import { isActive, isTerminal, matchesSelector, ownedBy, podFromTemplate, randomSuffix, type Any, type Controller, type ControllerContext } from './common.js';

const JOB = resourceForKind('Job');
const POD = resourceForKind('Pod');
const UID_LABEL = 'batch.kubernetes.io/controller-uid';
const NAME_LABEL = 'batch.kubernetes.io/job-name';
const INDEX = 'batch.kubernetes.io/job-completion-index';
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

const isTrue = (j: Any, type: string) => ((j.status?.conditions ?? []) as Any[]).some((c) => c.type === type && c.status === 'True');
export const jobFinished = (j: Any) => isTrue(j, 'Complete') || isTrue(j, 'Failed');

/** "0-2,4" from [0,1,2,4]. */
function indexRanges(ix: number[]): string {
  const sorted = [...new Set(ix)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

export function jobController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  const timers = new Map<string, () => void>();
  const wake = (key: string, ms: number) => {
    if (timers.has(key)) return;
    timers.set(key, ctx.after(ms, () => (timers.delete(key), ctx.requeue())));
  };

  /** A Job stored without its generated selector (before defaults.ts generated it at create): selector and labels. */
  const adopt = (j: Any): boolean => {
    if (j.spec.selector || j.spec.manualSelector) return false;
    const uid = j.metadata.uid;
    const labels = { [UID_LABEL]: uid, [NAME_LABEL]: j.metadata.name, 'controller-uid': uid, 'job-name': j.metadata.name };
    const spec = {
      ...j.spec,
      parallelism: j.spec.parallelism ?? 1,
      ...(j.spec.completions === undefined && j.spec.parallelism === undefined ? { completions: 1 } : {}),
      backoffLimit: j.spec.backoffLimit ?? (j.spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6),
      completionMode: j.spec.completionMode ?? 'NonIndexed',
      suspend: j.spec.suspend ?? false,
      manualSelector: false,
      podReplacementPolicy: j.spec.podReplacementPolicy ?? 'TerminatingOrFailed',
      selector: { matchLabels: { [UID_LABEL]: uid } },
      template: { ...j.spec.template, metadata: { ...j.spec.template?.metadata, labels: { ...j.spec.template?.metadata?.labels, ...labels } } },
    };
    store.update(JOB, j.metadata.namespace, j.metadata.name, { ...j, metadata: { ...j.metadata, labels: { ...labels, ...j.metadata.labels } }, spec });
    return true;
  };

  const reconcile = (j: Any) => {
    if (!isActive(j) || adopt(j)) return;
    const ns = j.metadata.namespace;
    const key = j.metadata.uid;
    const pods = ownedBy(store.list(POD, { namespace: ns }), j).filter((p: Any) => matchesSelector(j.spec.selector, p.metadata.labels)) as Any[];
    const active = pods.filter((p) => isActive(p) && !isTerminal(p));
    const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
    const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
    const restarts = pods.reduce((n, p) => n + ((p.status?.containerStatuses ?? []) as Any[]).reduce((m, c) => m + (c.restartCount ?? 0), 0), 0);
    const indexed = j.spec.completionMode === 'Indexed';
    const completions: number | undefined = j.spec.completions ?? undefined;
    const parallelism: number = j.spec.parallelism ?? 1;
    const succeededIndexes = indexed ? [...new Set(succeededPods.map((p) => Number(p.metadata.annotations?.[INDEX])))] : [];
    const succeeded = indexed ? succeededIndexes.length : succeededPods.length;
    const failed = failedPods.length;
    const prev: Any[] = j.status?.conditions ?? [];
    const now = timestamp(clock);
    const conditions = [...prev];
    const add = (type: string, reason: string, message: string) => {
      if (!conditions.some((c) => c.type === type)) conditions.push({ type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message });
    };
    let finished = jobFinished(j);
    const startTime = j.status?.startTime ?? (j.spec.suspend ? undefined : now);

    if (!finished && j.spec.suspend) {
      for (const p of active) store.delete(POD, ns, p.metadata.name);
      if (!conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) {
        const rest = conditions.filter((c) => c.type !== 'Suspended');
        conditions.length = 0;
        conditions.push(...rest, { type: 'Suspended', status: 'True', lastProbeTime: now, lastTransitionTime: now, reason: 'JobSuspended', message: 'Job suspended' });
        recordEvent(store, j, { reason: 'Suspended', message: 'Job suspended', component: 'job-controller' });
      }
    } else if (!finished) {
      const deadline = j.spec.activeDeadlineSeconds;
      const overDeadline = deadline !== undefined && startTime && clock.now() - Date.parse(startTime) >= deadline * 1000;
      const backoffLimit = j.spec.backoffLimit ?? 6;
      const failures = failed + (j.spec.template?.spec?.restartPolicy === 'OnFailure' ? restarts : 0);
      if (failures > backoffLimit || overDeadline) {
        const [reason, message] = overDeadline ? ['DeadlineExceeded', 'Job was active longer than specified deadline'] : ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
        add('FailureTarget', reason, message);
        add('Failed', reason, message);
        for (const p of active) store.delete(POD, ns, p.metadata.name);
        recordEvent(store, j, { reason, message, component: 'job-controller', type: 'Warning' });
        finished = true;
      } else if (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0) {
        add('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods');
        add('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods');
        for (const p of active) store.delete(POD, ns, p.metadata.name);
        recordEvent(store, j, { reason: 'Completed', message: 'Job completed', component: 'job-controller' });
        finished = true;
      } else {
        if (deadline !== undefined && startTime) wake(`${key}/deadline`, Date.parse(startTime) + deadline * 1000 - clock.now());
        // failed pods are replaced after an exponential back-off since the last failure
        const lastFailure = Math.max(0, ...failedPods.map((p) => Date.parse(p.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt ?? p.metadata.creationTimestamp)));
        const backoff = failed ? Math.min(BACKOFF_BASE_MS * 2 ** (failed - 1), BACKOFF_MAX_MS) : 0;
        const waitMs = lastFailure + backoff - clock.now();
        if (failed && waitMs > 0) wake(`${key}/backoff/${failed}`, waitMs);
        else {
          const wantActive = completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? 0 : parallelism;
          const missing: (number | undefined)[] = [];
          if (indexed) {
            const busy = new Set([...succeededIndexes, ...active.map((p) => Number(p.metadata.annotations?.[INDEX]))]);
            for (let i = 0; i < (completions ?? 0) && active.length + missing.length < wantActive; i++) if (!busy.has(i)) missing.push(i);
          } else for (let i = active.length; i < wantActive; i++) missing.push(undefined);
          for (const index of missing) {
            const extra = index === undefined ? {} : {
              labels: { [INDEX]: String(index) },
              annotations: { [INDEX]: String(index) },
              spec: {
                hostname: `${j.metadata.name}-${index}`,
                containers: ((j.spec.template?.spec?.containers ?? []) as Any[]).map((c) => ({ ...c, env: [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${INDEX}']` } } }] })),
              },
            };
            const name = `${j.metadata.name}-${index === undefined ? '' : `${index}-`}${randomSuffix()}`;
            store.create(POD, ns, podFromTemplate(j.spec.template, j, JOB, { name, ...extra }));
            recordEvent(store, j, { reason: 'SuccessfulCreate', message: `Created pod: ${name}`, component: 'job-controller' });
          }
        }
      }
    }

    const fresh = store.get(JOB, ns, j.metadata.name) as Any;
    if (!fresh) return;
    const live = ownedBy(store.list(POD, { namespace: ns }), j).filter((p: Any) => isActive(p) && !isTerminal(p)) as Any[];
    const terminating = ownedBy(store.list(POD, { namespace: ns }), j).filter((p: Any) => !isActive(p)).length;
    const status: Any = {
      ...(startTime ? { startTime } : {}),
      ...(finished && isTrue({ status: { conditions } }, 'Complete') ? { completionTime: fresh.status?.completionTime ?? now } : {}),
      ...(live.length ? { active: live.length } : {}),
      ...(succeeded ? { succeeded } : {}),
      ...(failed ? { failed } : {}),
      ready: live.filter(isPodReady).length,
      terminating,
      ...(indexed && succeededIndexes.length ? { completedIndexes: indexRanges(succeededIndexes) } : {}),
      uncountedTerminatedPods: {},
      ...(conditions.length ? { conditions } : {}),
    };
    if (!deepEqual(fresh.status, status)) store.update(JOB, ns, j.metadata.name, { ...fresh, status }, { subresource: 'status' });
    const ttl = fresh.spec.ttlSecondsAfterFinished;
    if (finished && ttl !== undefined) {
      const finishedAt = Date.parse(((conditions.find((c) => c.type === 'Complete' || c.type === 'Failed') ?? {}).lastTransitionTime as string) ?? now);
      const left = finishedAt + ttl * 1000 - clock.now();
      if (left <= 0) store.delete(JOB, ns, j.metadata.name, { propagationPolicy: 'Background' });
      else wake(`${key}/ttl`, left);
    }
  };

  return {
    watches: ['Job', 'Pod'],
    reconcile: () => store.list(JOB).forEach(reconcile),
    stop: () => timers.forEach((cancel) => cancel()),
  };
}
