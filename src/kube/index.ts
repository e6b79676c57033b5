/** The embedded Kubernetes API for the dev sandbox and tests. */
export { startKubeApi, KUBE_VERSION, type KubeApi, type KubeApiOptions, type AuditEntry } from './server.js';
export { KubeStore, INITIAL_NAMESPACES, type ChangeListener, type ChangeType, type ListOptions } from './store.js';
export { RESOURCES, findResource, resourceForKind, apiVersionOf, type ResourceDef } from './registry.js';
export { KubeApiError, type StatusObject } from './status.js';
export { Simulation, type SimulationOptions } from './simulation.js';
export { decodeKubeProtobuf, decodeEnvelope } from './protobuf.js';
export { applyJsonPatch, applyMergePatch, strategicMerge } from './patch.js';
export { parseLabelSelector, parseFieldSelector, matchesLabels, matchesFields } from './selectors.js';
export { toTable, wantsTable } from './table.js';
export type { KubeObject, ObjectMeta, OwnerReference } from './types.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { Kubelet, kubeletFor } from './kubelet.js';
export { SimContainer, SimProcess, type ProgramContext } from './containers/index.js';
