/**
 * Version conversion for kinds served at more than one version (one storage bucket per group/resource): an object
 * stored through one version is converted to the version a request names. Conversions are a table keyed by
 * group/kind; kinds without one (custom resources with `conversion.strategy: None`) only change apiVersion.
 */
import { apiVersionOf, type ResourceDef } from './registry.js';
import { deepClone, type KubeObject } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

type Converter = (obj: Any, to: string) => Any;

function cpuMetric(utilization: number) {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: utilization } } };
}

/** autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler (the CPU-utilization target is the only v1 metric). */
const hpa: Converter = (o, to) => {
  const spec = { ...o.spec };
  const status = { ...o.status };
  if (to === 'v2') {
    if (spec.targetCPUUtilizationPercentage !== undefined) spec.metrics = [cpuMetric(spec.targetCPUUtilizationPercentage)];
    delete spec.targetCPUUtilizationPercentage;
    if (status.currentCPUUtilizationPercentage !== undefined) {
      status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }];
    }
    delete status.currentCPUUtilizationPercentage;
  } else {
    const cpu = ((spec.metrics ?? []) as Any[]).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    if (cpu?.resource?.target?.averageUtilization !== undefined) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
    delete spec.metrics;
    delete spec.behavior;
    const cur = ((status.currentMetrics ?? []) as Any[]).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    if (cur?.resource?.current?.averageUtilization !== undefined) status.currentCPUUtilizationPercentage = cur.resource.current.averageUtilization;
    delete status.currentMetrics;
    delete status.conditions;
  }
  return { ...o, spec, status };
};

const converters: Record<string, Converter> = {
  'autoscaling/HorizontalPodAutoscaler': hpa,
};

/** The object as `def`'s version serves it. */
export function toServedVersion(def: ResourceDef, obj: KubeObject): KubeObject {
  const want = apiVersionOf(def);
  if (obj.apiVersion === want || obj.kind !== def.kind) return obj;
  const convert = converters[`${def.group}/${def.kind}`];
  const out = convert ? convert(deepClone(obj), def.version) : deepClone(obj);
  out.apiVersion = want;
  return out as KubeObject;
}
