/**
 * Decoded K3s-DaaS events and objects. Field names are the Move names in camelCase; u64 values are bigint, u8/u16
 * numbers, ID/address 0x-strings (normalized), byte vectors Uint8Array, `Option<T>` the value or null.
 */

interface EventBase<Kind extends string> {
  $kind: Kind;
  /** The package address in the event type (for an upgraded package, its original id, as Sui types events). */
  packageId: string;
}

// === cluster ===
export interface ClusterCreated extends EventBase<'ClusterCreated'> {
  clusterId: string;
  capId: string;
  operator: string;
  name: string;
  apiUrl: string;
  caHash: Uint8Array;
  debug: boolean;
  readFee: bigint;
  writeFee: bigint;
  workerPolicy: number;
  unbondingMs: bigint;
  maxSlashBps: bigint;
}
export interface ClusterUpdated extends EventBase<'ClusterUpdated'> {
  clusterId: string;
  apiUrl: string;
  caHash: Uint8Array;
  minWriteStake: bigint;
  requestTimeoutMs: bigint;
}
export interface GatewayRegistered extends EventBase<'GatewayRegistered'> {
  clusterId: string;
  gateway: string;
}
export interface GatewayRemoved extends EventBase<'GatewayRemoved'> {
  clusterId: string;
  gateway: string;
}
export interface FeesUpdated extends EventBase<'FeesUpdated'> {
  clusterId: string;
  readFee: bigint;
  writeFee: bigint;
}
export interface WorkerPolicyUpdated extends EventBase<'WorkerPolicyUpdated'> {
  clusterId: string;
  /** WORKER_POLICIES value. */
  workerPolicy: number;
}
export interface MaxSessionUpdated extends EventBase<'MaxSessionUpdated'> {
  clusterId: string;
  maxSessionMs: bigint;
}
export interface RevenueWithdrawn extends EventBase<'RevenueWithdrawn'> {
  clusterId: string;
  recipient: string;
  amount: bigint;
}
export interface TreasuryWithdrawn extends EventBase<'TreasuryWithdrawn'> {
  clusterId: string;
  recipient: string;
  amount: bigint;
}

// === enclave ===
export interface EnclaveRegistered extends EventBase<'EnclaveRegistered'> {
  clusterId: string;
  publicKey: Uint8Array;
  debug: boolean;
  pcrs: Uint8Array[];
  timestampMs: bigint;
  /** The enclave config (expected PCRs) version the key was registered under. */
  configVersion: bigint;
}
export interface EnclaveConfigUpdated extends EventBase<'EnclaveConfigUpdated'> {
  clusterId: string;
  configVersion: bigint;
  pcrs: Uint8Array[];
}
export interface ClusterMigrated extends EventBase<'ClusterMigrated'> {
  clusterId: string;
  fromVersion: bigint;
  toVersion: bigint;
}
export interface WorkerMigrated extends EventBase<'WorkerMigrated'> {
  workerId: string;
  clusterId: string;
  fromVersion: bigint;
  toVersion: bigint;
}

// === access ===
export interface Staked extends EventBase<'Staked'> {
  clusterId: string;
  tokenId: string;
  owner: string;
  /** The namespace claimed (tenants); empty for tokens the cap holder staked with a role. */
  namespace: string;
  /** ROLES value, or ROLE_TENANT. */
  role: number;
  amount: bigint;
  lockedUntilMs: bigint;
}
export interface Unstaked extends EventBase<'Unstaked'> {
  clusterId: string;
  tokenId: string;
  owner: string;
  amount: bigint;
  /** Unused prepaid fees returned with the stake. */
  prepaid: bigint;
}
export interface NamespaceClaimed extends EventBase<'NamespaceClaimed'> {
  clusterId: string;
  tokenId: string;
  owner: string;
  namespace: string;
}
export interface NamespaceReleased extends EventBase<'NamespaceReleased'> {
  clusterId: string;
  tokenId: string;
  namespace: string;
}
export interface NamespaceReserved extends EventBase<'NamespaceReserved'> {
  clusterId: string;
  namespace: string;
}
export interface RoleGranted extends EventBase<'RoleGranted'> {
  clusterId: string;
  tokenId: string;
  role: number;
}
export interface RoleRevoked extends EventBase<'RoleRevoked'> {
  clusterId: string;
  tokenId: string;
  /** The role taken away. */
  role: number;
}
export interface ToppedUp extends EventBase<'ToppedUp'> {
  clusterId: string;
  tokenId: string;
  amount: bigint;
  /** The token's prepaid fees after the top-up. */
  prepaid: bigint;
}
export interface Slashed extends EventBase<'Slashed'> {
  clusterId: string;
  tokenId: string;
  amount: bigint;
  /** SLASH_REASONS value. */
  reason: number;
  /** Still staked; below min_user_stake the token has no access. */
  remaining: bigint;
}

// === request ===
export interface RequestSubmitted extends EventBase<'RequestSubmitted'> {
  requestId: string;
  clusterId: string;
  requester: string;
  gateway: string | null;
  tokenId: string;
  role: number;
  method: string;
  path: string;
  namespace: string;
  resource: string;
  bodyDigest: Uint8Array;
  bodySize: bigint;
  body: Uint8Array;
  bodyBlob: string;
  replyKey: Uint8Array;
  submittedMs: bigint;
  deadlineMs: bigint;
  /** The fee escrowed in the Request. */
  fee: bigint;
}
export interface ResponseStored extends EventBase<'ResponseStored'> {
  requestId: string;
  clusterId: string;
  requester: string;
  status: number;
  bodyDigest: Uint8Array;
  bodySize: bigint;
  body: Uint8Array;
  bodyBlob: string;
  timestampMs: bigint;
  signature: Uint8Array;
  latencyMs: bigint;
  /** The fee paid to the cluster's revenue. */
  fee: bigint;
}
export interface RequestExpired extends EventBase<'RequestExpired'> {
  requestId: string;
  clusterId: string;
  requester: string;
  deadlineMs: bigint;
  /** The fee refunded to the requester. */
  refund: bigint;
}

// === workers ===
export interface WorkerRegistered extends EventBase<'WorkerRegistered'> {
  workerId: string;
  clusterId: string;
  owner: string;
  nodeName: string;
  encryptionKey: Uint8Array;
  stake: bigint;
  timestampMs: bigint;
  /** Approved at registration (open clusters); else it waits for WorkerApproved. */
  approved: boolean;
}
export interface WorkerApproved extends EventBase<'WorkerApproved'> {
  workerId: string;
  clusterId: string;
}
export interface WorkerLeaving extends EventBase<'WorkerLeaving'> {
  workerId: string;
  clusterId: string;
  owner: string;
  /** When `withdraw` may return the stake. */
  withdrawableMs: bigint;
}
export interface JoinTokenSet extends EventBase<'JoinTokenSet'> {
  workerId: string;
  clusterId: string;
  ciphertext: Uint8Array;
  timestampMs: bigint;
}
export interface WorkerHeartbeat extends EventBase<'WorkerHeartbeat'> {
  workerId: string;
  clusterId: string;
  timestampMs: bigint;
}
export interface WorkerInactive extends EventBase<'WorkerInactive'> {
  workerId: string;
  clusterId: string;
  lastHeartbeatMs: bigint;
  timestampMs: bigint;
}
export interface WorkerLeft extends EventBase<'WorkerLeft'> {
  workerId: string;
  clusterId: string;
  owner: string;
  amount: bigint;
}
export interface WorkerSlashed extends EventBase<'WorkerSlashed'> {
  workerId: string;
  clusterId: string;
  amount: bigint;
  /** SLASH_REASONS value. */
  reason: number;
  /** Still staked; below min_worker_stake no new join token. */
  remaining: bigint;
}

// === session ===
export interface SessionOpened extends EventBase<'SessionOpened'> {
  clusterId: string;
  requestId: string;
  requester: string;
  openedMs: bigint;
  expiresMs: bigint;
  signature: Uint8Array;
}
export interface SessionClosed extends EventBase<'SessionClosed'> {
  clusterId: string;
  requestId: string;
  requester: string;
  openedMs: bigint;
  closedMs: bigint;
  bytesDown: bigint;
  bytesUp: bigint;
  frames: bigint;
  hasExitCode: boolean;
  exitCode: number;
  /** Index into SESSION_REASONS (core/session/payloads.ts); 6 = still open (a periodic record). */
  reason: number;
  transcriptDigest: Uint8Array;
  timestampMs: bigint;
  signature: Uint8Array;
}

export type K3sDaasEvent =
  | ClusterCreated
  | ClusterUpdated
  | GatewayRegistered
  | GatewayRemoved
  | FeesUpdated
  | WorkerPolicyUpdated
  | MaxSessionUpdated
  | RevenueWithdrawn
  | TreasuryWithdrawn
  | EnclaveRegistered
  | EnclaveConfigUpdated
  | ClusterMigrated
  | WorkerMigrated
  | Staked
  | Unstaked
  | Slashed
  | NamespaceClaimed
  | NamespaceReleased
  | NamespaceReserved
  | RoleGranted
  | RoleRevoked
  | ToppedUp
  | RequestSubmitted
  | ResponseStored
  | RequestExpired
  | WorkerRegistered
  | WorkerApproved
  | WorkerLeaving
  | JoinTokenSet
  | WorkerHeartbeat
  | WorkerInactive
  | WorkerLeft
  | WorkerSlashed
  | SessionOpened
  | SessionClosed;

export type K3sDaasEventKind = K3sDaasEvent['$kind'];
export type EventOf<Kind extends K3sDaasEventKind> = Extract<K3sDaasEvent, { $kind: Kind }>;

// === objects ===
export interface Cluster {
  $kind: 'Cluster';
  id: string;
  /** The package version it was made or migrated for (PACKAGE_VERSION). */
  version: bigint;
  operator: string;
  name: string;
  apiUrl: string;
  caHash: Uint8Array;
  minUserStake: bigint;
  minWriteStake: bigint;
  minWorkerStake: bigint;
  stakeLockMs: bigint;
  requestTimeoutMs: bigint;
  heartbeatTimeoutMs: bigint;
  debug: boolean;
  expectedPcrs: Uint8Array[];
  enclaveConfigVersion: bigint;
  enclavePk: Uint8Array;
  enclaveRegisteredMs: bigint;
  gateways: string[];
  /** The `Table<ID, Stake>` handle: its id (for dynamic-field reads) and size. */
  stakes: { id: string; size: bigint };
  /** The `Table<String, ID>` of claimed (and reserved) namespaces. */
  namespaces: { id: string; size: bigint };
  readFee: bigint;
  writeFee: bigint;
  /** MIST of fees of answered requests, withdrawable with the cap. */
  revenue: bigint;
  workerPolicy: number;
  unbondingMs: bigint;
  maxSlashBps: bigint;
  /** MIST of slashed stakes, withdrawable with the cap. */
  treasury: bigint;
  /** The longest a streaming session may last (`cluster::set_max_session_ms`). */
  maxSessionMs: bigint;
}
export interface ClusterAdminCap {
  $kind: 'ClusterAdminCap';
  id: string;
  clusterId: string;
}
export interface SealToken {
  $kind: 'SealToken';
  id: string;
  clusterId: string;
  /** The namespace claimed at staking; empty for a token the cap holder staked with a role. */
  namespace: string;
}
export interface Request {
  $kind: 'Request';
  id: string;
  version: bigint;
  clusterId: string;
  requester: string;
  gateway: string | null;
  tokenId: string;
  method: string;
  path: string;
  bodyDigest: Uint8Array;
  replyKey: Uint8Array;
  submittedMs: bigint;
  deadlineMs: bigint;
  /** MIST escrowed. */
  fee: bigint;
}
export interface Worker {
  $kind: 'Worker';
  id: string;
  version: bigint;
  clusterId: string;
  owner: string;
  nodeName: string;
  encryptionKey: Uint8Array;
  /** The staked `Balance<SUI>` value in MIST. */
  stake: bigint;
  registeredMs: bigint;
  lastHeartbeatMs: bigint;
  active: boolean;
  joinToken: Uint8Array;
  approved: boolean;
  leaving: boolean;
  withdrawableMs: bigint;
}

export type K3sDaasObject = Cluster | ClusterAdminCap | SealToken | Request | Worker;
export type K3sDaasObjectKind = K3sDaasObject['$kind'];
