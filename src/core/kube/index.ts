export { KubeForwarder, UpstreamError, loadKubeConfig, type Impersonation, type KubeForwarderOptions } from './forward.js';
export { kubeStatus, statusResponse, type KubeStatus } from './status.js';
export { writeKubeconfigContext, type KubeconfigContext, type ExecPlugin } from './kubeconfig.js';
