/** A scripted lifecycle covering every state, for the UI tests and the committed screen snapshot. */
import type { LifecycleEvent } from './lifecycle.js';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
export const NOW = T0 + 30_000;
export const CLUSTER = '0x' + 'c1'.repeat(32);
const USER = '0x' + 'a1'.repeat(32);
const VIEWER = '0x' + 'b2'.repeat(32);
const GATEWAY = '0x' + '9a'.repeat(32);
const req = (n: number) => '0x' + n.toString(16).padStart(2, '0').repeat(32);
const tx = (n: number) => `Tx${n}`.padEnd(44, String.fromCharCode(65 + n));

function submitted(n: number, at: number, method: string, path: string, namespace: string, resource: string, requester = USER, role = 1): LifecycleEvent {
  return {
    kind: 'submitted',
    requestId: req(n),
    txDigest: tx(n),
    timestampMs: at,
    requester,
    gateway: GATEWAY,
    tokenId: '0x' + '70'.repeat(32),
    role,
    method,
    path,
    namespace,
    resource,
    bodySize: 412,
    submittedMs: at,
    deadlineMs: at + 60_000,
  };
}

/** The script, in ledger order. */
export const SCRIPT: LifecycleEvent[] = [
  { kind: 'worker-registered', workerId: req(0xe1), txDigest: tx(20), timestampMs: T0 - 60_000, nodeName: 'worker-1', owner: USER, stake: 10_000_000_000n },
  { kind: 'join-token-set', workerId: req(0xe1), txDigest: tx(21), timestampMs: T0 - 55_000 },
  { kind: 'worker-heartbeat', workerId: req(0xe1), txDigest: tx(22), timestampMs: T0 + 25_000 },
  { kind: 'worker-registered', workerId: req(0xe2), txDigest: tx(23), timestampMs: T0 - 50_000, nodeName: 'worker-2', owner: USER, stake: 5_500_000_000n },
  { kind: 'worker-inactive', workerId: req(0xe2), txDigest: tx(24), timestampMs: T0 + 5_000, lastHeartbeatMs: T0 - 40_000 },
  // 1: list pods → stored and delivered
  submitted(1, T0 + 1_000, 'GET', '/api/v1/namespaces/default/pods', 'default', 'pods'),
  { kind: 'picked-up', requestId: req(1), timestampMs: T0 + 1_100 },
  { kind: 'stored', requestId: req(1), txDigest: tx(2), timestampMs: T0 + 1_840, status: 200, latencyMs: 840, bodySize: 2048 },
  { kind: 'delivered', requestId: req(1), timestampMs: T0 + 1_900 },
  // 2: a viewer's write, aborted by the contract
  {
    kind: 'rejected',
    txDigest: tx(3),
    timestampMs: T0 + 5_000,
    requester: VIEWER,
    gateway: GATEWAY,
    method: 'POST',
    path: '/api/v1/namespaces/default/configmaps',
    abortModule: 'access',
    abortCode: 5,
    abortName: 'ERoleCannotWrite',
    reason: "your SealToken's role does not allow writes (viewer); stake an editor or admin token",
  },
  // 3: create deployment → stored with 201
  submitted(4, T0 + 10_000, 'POST', '/apis/apps/v1/namespaces/web/deployments', 'web', 'deployments'),
  { kind: 'stored', requestId: req(4), txDigest: tx(5), timestampMs: T0 + 11_200, status: 201, latencyMs: 1_200, bodySize: 3100 },
  // 4: get a missing secret → 404
  submitted(6, T0 + 15_000, 'GET', '/api/v1/namespaces/web/secrets/db', 'web', 'secrets'),
  { kind: 'stored', requestId: req(6), txDigest: tx(7), timestampMs: T0 + 15_500, status: 404, latencyMs: 500, bodySize: 300 },
  // 5: delete a pod, expired (no answer)
  submitted(8, T0 - 90_000, 'DELETE', '/api/v1/namespaces/web/pods/api-0', 'web', 'pods'),
  { kind: 'expired', requestId: req(8), txDigest: tx(9), deadlineMs: T0 - 30_000 },
  // 6: picked up, not answered yet
  submitted(10, T0 + 25_000, 'GET', '/api/v1/nodes', '', 'nodes'),
  { kind: 'picked-up', requestId: req(10), timestampMs: T0 + 25_050 },
  // 7: just authorized
  submitted(11, T0 + 29_000, 'PATCH', '/api/v1/namespaces/web/configmaps/settings', 'web', 'configmaps'),
];
