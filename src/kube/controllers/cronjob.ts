/**
 * CronJob: creates a Job at each scheduled time on the cluster's clock (so tests advance a ManualClock instead of
 * waiting), honouring suspend, startingDeadlineSeconds, concurrencyPolicy and the history limits.
 */
import { CronExpressionParser } from 'cron-parser';
import { recordEvent } from '../events.js';
import { resourceForKind, apiVersionOf } from '../registry.js';
import { deepEqual } from '../types.js';
import { controllerRef, isActive, ownedBy, type Any, type Controller, type ControllerContext } from './common.js';
import { jobFinished } from './job.js';

const CRON = resourceForKind('CronJob');
const JOB = resourceForKind('Job');
const MACROS: Record<string, string> = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *' };

/** The schedule as Kubernetes reads it: five fields or a macro, optionally prefixed `CRON_TZ=`/`TZ=`. */
export function parseSchedule(schedule: string, timeZone?: string): { next(after: number): number; prev(before: number): number } {
  let expr = schedule.trim();
  let tz = timeZone ?? 'UTC';
  const tzPrefix = /^(CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(expr);
  if (tzPrefix) [, , tz, expr] = tzPrefix;
  expr = MACROS[expr] ?? expr;
  if (expr.split(/\s+/).length !== 5) throw new Error(`unparseable schedule "${schedule}": expected exactly 5 fields`);
  const at = (d: number) => CronExpressionParser.parse(expr, { currentDate: new Date(d), tz });
  at(0);
  return { next: (after) => at(after).next().getTime(), prev: (before) => at(before).prev().getTime() };
}

const isoOf = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function cronJobController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  const timers = new Map<string, { at: number; cancel: () => void }>();
  const wakeAt = (key: string, at: number) => {
    const t = timers.get(key);
    if (t && t.at === at) return;
    t?.cancel();
    timers.set(key, { at, cancel: ctx.after(Math.max(0, at - clock.now()), () => (timers.delete(key), ctx.requeue())) });
  };

  const reconcile = (cj: Any) => {
    if (!isActive(cj)) return;
    const ns = cj.metadata.namespace;
    let schedule;
    try {
      schedule = parseSchedule(cj.spec.schedule ?? '', cj.spec.timeZone);
    } catch (e) {
      recordEvent(store, cj, { reason: 'UnparseableSchedule', message: (e as Error).message, component: 'cronjob-controller', type: 'Warning' });
      return;
    }
    const now = clock.now();
    const jobs = ownedBy(store.list(JOB, { namespace: ns }), cj) as Any[];
    let active = jobs.filter((j) => !jobFinished(j) && isActive(j));
    const last = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : Date.parse(cj.metadata.creationTimestamp);
    let lastScheduleTime = cj.status?.lastScheduleTime;
    const due = schedule.prev(now + 1);
    if (!cj.spec.suspend && due > last) {
      const deadline = cj.spec.startingDeadlineSeconds;
      const name = `${cj.metadata.name}-${Math.floor(due / 60000)}`;
      if (deadline !== undefined && now - due > deadline * 1000) {
        recordEvent(store, cj, { reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${isoOf(due)}`, component: 'cronjob-controller', type: 'Warning' });
      } else if (cj.spec.concurrencyPolicy === 'Forbid' && active.length) {
        recordEvent(store, cj, { reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid', component: 'cronjob-controller' });
      } else if (!store.get(JOB, ns, name)) {
        if (cj.spec.concurrencyPolicy === 'Replace') {
          for (const j of active) {
            store.delete(JOB, ns, j.metadata.name, { propagationPolicy: 'Background' });
            recordEvent(store, cj, { reason: 'SuccessfulDelete', message: `Deleted job ${j.metadata.name}`, component: 'cronjob-controller' });
          }
          active = [];
        }
        const t = cj.spec.jobTemplate ?? {};
        const job = store.create(JOB, ns, {
          metadata: {
            name,
            labels: { ...t.metadata?.labels },
            annotations: { ...t.metadata?.annotations, 'batch.kubernetes.io/cronjob-scheduled-timestamp': isoOf(due) },
            ownerReferences: [controllerRef(cj, CRON)],
          },
          spec: structuredClone(t.spec ?? {}),
        });
        active.push(job);
        recordEvent(store, cj, { reason: 'SuccessfulCreate', message: `Created job ${name}`, component: 'cronjob-controller' });
      }
      lastScheduleTime = isoOf(due);
    }
    // history limits: the oldest finished jobs beyond the limits go
    for (const [kind, limit] of [['Complete', cj.spec.successfulJobsHistoryLimit ?? 3], ['Failed', cj.spec.failedJobsHistoryLimit ?? 1]] as const) {
      const done = jobs.filter((j) => isActive(j) && ((j.status?.conditions ?? []) as Any[]).some((c) => c.type === kind && c.status === 'True')).sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name));
      for (const j of done.slice(0, Math.max(0, done.length - limit))) {
        store.delete(JOB, ns, j.metadata.name, { propagationPolicy: 'Background' });
        recordEvent(store, cj, { reason: 'SawCompletedJob', message: `Saw completed job: ${j.metadata.name}, condition: ${kind}`, component: 'cronjob-controller' });
      }
    }
    const succeeded = jobs.filter((j) => j.status?.completionTime).map((j) => j.status.completionTime).sort();
    const fresh = store.get(CRON, ns, cj.metadata.name) as Any;
    if (!fresh) return;
    const status = {
      ...(active.length ? { active: active.map((j) => ({ kind: 'Job', namespace: ns, name: j.metadata.name, uid: j.metadata.uid, apiVersion: apiVersionOf(JOB) })) } : {}),
      ...(lastScheduleTime ? { lastScheduleTime } : {}),
      ...(succeeded.length ? { lastSuccessfulTime: succeeded[succeeded.length - 1] } : (fresh.status?.lastSuccessfulTime ? { lastSuccessfulTime: fresh.status.lastSuccessfulTime } : {})),
    };
    if (!deepEqual(fresh.status ?? {}, status)) store.update(CRON, ns, cj.metadata.name, { ...fresh, status }, { subresource: 'status' });
    if (!cj.spec.suspend) wakeAt(cj.metadata.uid, schedule.next(now));
  };

  return {
    watches: ['CronJob', 'Job'],
    reconcile: () => store.list(CRON).forEach(reconcile),
    stop: () => timers.forEach((t) => t.cancel()),
  };
}
