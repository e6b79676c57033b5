export { KubeForwarder, UpstreamError, loadKubeConfig, type Impersonation, type KubeForwarderOptions } from './forward.js';
export { kubeStatus, statusResponse, enclaveKeyRotatedResponse, isEnclaveKeyRotated, ENCLAVE_KEY_ROTATED, type KubeStatus } from './status.js';
export { writeKubeconfigContext, type KubeconfigContext, type ExecPlugin } from './kubeconfig.js';
