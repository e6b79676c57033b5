/** Node objects as a kubelet would report them: Ready, with capacity and node info. */
import type { KubeObject } from './types.js';

export function buildNode(name: string, labels: Record<string, string> = {}): KubeObject {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...labels,
      },
    },
    spec: { podCIDR: '10.42.0.0/24' },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.2' },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.4+k3s1',
        kubeProxyVersion: 'v1.32.4+k3s1',
        containerRuntimeVersion: 'containerd://1.7.23-k3s1',
        operatingSystem: 'linux',
        architecture: 'amd64',
        osImage: 'k3sdaas simulated node',
        kernelVersion: '6.0.0',
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
    },
  };
}
