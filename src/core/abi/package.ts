/**
 * The K3s-DaaS package ABI: every public entry point, struct and error code of move/sources, in source order.
 * docs/contract.md describes the same thing in prose; test/abi-parity.test.ts checks this file against the
 * committed bytecode (move/build/k3sdaas.json), so drift between Move and TypeScript fails CI.
 */
import type { ErrorAbi, FunctionAbi, MoveType, StructAbi } from './types.js';

const ID: MoveType = { struct: '0x2::object::ID' };
const UID: MoveType = { struct: '0x2::object::UID' };
const STRING: MoveType = { struct: '0x1::string::String' };
const BYTES: MoveType = { vector: 'u8' };
const CHUNKS: MoveType = { vector: BYTES };
const SUI: MoveType = { struct: '0x2::sui::SUI' };
const COIN_SUI: MoveType = { struct: '0x2::coin::Coin', typeArgs: [SUI] };
const BALANCE_SUI: MoveType = { struct: '0x2::balance::Balance', typeArgs: [SUI] };
const CLOCK: MoveType = { struct: '0x2::clock::Clock' };
const OPTION_ADDRESS: MoveType = { struct: '0x1::option::Option', typeArgs: ['address'] };

const CLUSTER: MoveType = { struct: 'k3sdaas::cluster::Cluster' };
const CAP: MoveType = { struct: 'k3sdaas::cluster::ClusterAdminCap' };
const TOKEN: MoveType = { struct: 'k3sdaas::access::SealToken' };
const REQUEST: MoveType = { struct: 'k3sdaas::request::Request' };
const WORKER: MoveType = { struct: 'k3sdaas::workers::Worker' };
const NITRO_DOC: MoveType = { struct: '0x2::nitro_attestation::NitroAttestationDocument' };

const pure = (name: string, type: MoveType) => ({ name, kind: 'pure' as const, type });
const obj = (name: string, type: MoveType, ref: '&' | '&mut' | 'value') => ({ name, kind: 'object' as const, type, ref });
const clock = obj('clock', CLOCK, '&');

export const CLUSTER_FUNCTIONS = {
  create: {
    module: 'cluster',
    name: 'create',
    params: [
      pure('name', STRING),
      pure('api_url', STRING),
      pure('ca_hash', BYTES),
      pure('min_user_stake', 'u64'),
      pure('min_write_stake', 'u64'),
      pure('min_worker_stake', 'u64'),
      pure('stake_lock_ms', 'u64'),
      pure('request_timeout_ms', 'u64'),
      pure('heartbeat_timeout_ms', 'u64'),
      pure('read_fee', 'u64'),
      pure('write_fee', 'u64'),
      pure('worker_policy', 'u8'),
      pure('unbonding_ms', 'u64'),
      pure('max_slash_bps', 'u64'),
      pure('debug', 'bool'),
      pure('expected_pcrs', CHUNKS),
    ],
    txContext: '&mut',
  },
  update: {
    module: 'cluster',
    name: 'update',
    params: [
      obj('cap', CAP, '&'),
      obj('cluster', CLUSTER, '&mut'),
      pure('api_url', STRING),
      pure('ca_hash', BYTES),
      pure('min_write_stake', 'u64'),
      pure('request_timeout_ms', 'u64'),
    ],
    txContext: '&mut',
  },
  register_gateway: {
    module: 'cluster',
    name: 'register_gateway',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('gateway', 'address')],
    txContext: 'none',
  },
  remove_gateway: {
    module: 'cluster',
    name: 'remove_gateway',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('gateway', 'address')],
    txContext: 'none',
  },
  set_fees: {
    module: 'cluster',
    name: 'set_fees',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('read_fee', 'u64'), pure('write_fee', 'u64')],
    txContext: 'none',
  },
  set_worker_policy: {
    module: 'cluster',
    name: 'set_worker_policy',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('worker_policy', 'u8')],
    txContext: 'none',
  },
  set_max_session_ms: {
    module: 'cluster',
    name: 'set_max_session_ms',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('max_session_ms', 'u64')],
    txContext: 'none',
  },
  withdraw_revenue: {
    module: 'cluster',
    name: 'withdraw_revenue',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut')],
    txContext: '&mut',
  },
  withdraw_treasury: {
    module: 'cluster',
    name: 'withdraw_treasury',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut')],
    txContext: '&mut',
  },
  migrate: {
    module: 'cluster',
    name: 'migrate',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut')],
    txContext: 'none',
  },
} satisfies Record<string, FunctionAbi>;

export const ENCLAVE_FUNCTIONS = {
  register_debug: {
    module: 'enclave',
    name: 'register_debug',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('public_key', BYTES), clock],
    txContext: 'none',
  },
  register_attested: {
    module: 'enclave',
    name: 'register_attested',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), obj('document', NITRO_DOC, '&'), clock],
    txContext: 'none',
  },
  update_pcrs: {
    module: 'enclave',
    name: 'update_pcrs',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('expected_pcrs', CHUNKS)],
    txContext: 'none',
  },
} satisfies Record<string, FunctionAbi>;

export const ACCESS_FUNCTIONS = {
  stake: {
    module: 'access',
    name: 'stake',
    params: [obj('cluster', CLUSTER, '&mut'), obj('payment', COIN_SUI, 'value'), pure('namespace', STRING), clock],
    txContext: '&mut',
  },
  stake_granted: {
    module: 'access',
    name: 'stake_granted',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), obj('payment', COIN_SUI, 'value'), pure('role', 'u8'), clock],
    txContext: '&mut',
  },
  grant: {
    module: 'access',
    name: 'grant',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('token_id', ID), pure('role', 'u8')],
    txContext: 'none',
  },
  revoke: {
    module: 'access',
    name: 'revoke',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('token_id', ID)],
    txContext: 'none',
  },
  reserve_namespace: {
    module: 'access',
    name: 'reserve_namespace',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('namespace', STRING)],
    txContext: 'none',
  },
  topup: {
    module: 'access',
    name: 'topup',
    params: [obj('cluster', CLUSTER, '&mut'), pure('token_id', ID), obj('payment', COIN_SUI, 'value')],
    txContext: 'none',
  },
  unstake: {
    module: 'access',
    name: 'unstake',
    params: [obj('cluster', CLUSTER, '&mut'), obj('token', TOKEN, 'value'), clock],
    txContext: '&mut',
  },
  slash: {
    module: 'access',
    name: 'slash',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), pure('token_id', ID), pure('amount', 'u64'), pure('reason', 'u8')],
    txContext: 'none',
  },
} satisfies Record<string, FunctionAbi>;

const BODY_PARAMS = [
  pure('method', STRING),
  pure('path', STRING),
  pure('body_digest', BYTES),
  pure('body_size', 'u64'),
  pure('body', CHUNKS),
  pure('body_blob', STRING),
  pure('reply_key', BYTES),
  clock,
];

export const REQUEST_FUNCTIONS = {
  submit: {
    module: 'request',
    name: 'submit',
    params: [obj('cluster', CLUSTER, '&mut'), obj('token', TOKEN, '&'), ...BODY_PARAMS],
    txContext: '&mut',
  },
  submit_via_gateway: {
    module: 'request',
    name: 'submit_via_gateway',
    params: [obj('cluster', CLUSTER, '&mut'), pure('credential', BYTES), pure('signature', BYTES), ...BODY_PARAMS],
    txContext: '&mut',
  },
  respond: {
    module: 'request',
    name: 'respond',
    params: [
      obj('cluster', CLUSTER, '&mut'),
      obj('request', REQUEST, 'value'),
      pure('status', 'u16'),
      pure('body_digest', BYTES),
      pure('body_size', 'u64'),
      pure('body', CHUNKS),
      pure('body_blob', STRING),
      pure('timestamp_ms', 'u64'),
      pure('signature', BYTES),
      clock,
    ],
    txContext: 'none',
  },
  expire: {
    module: 'request',
    name: 'expire',
    params: [obj('request', REQUEST, 'value'), clock],
    txContext: '&mut',
  },
} satisfies Record<string, FunctionAbi>;

export const WORKERS_FUNCTIONS = {
  register: {
    module: 'workers',
    name: 'register',
    params: [
      obj('cluster', CLUSTER, '&'),
      obj('payment', COIN_SUI, 'value'),
      pure('node_name', STRING),
      pure('encryption_key', BYTES),
      clock,
    ],
    txContext: '&mut',
  },
  approve: {
    module: 'workers',
    name: 'approve',
    params: [obj('cap', CAP, '&'), obj('worker', WORKER, '&mut')],
    txContext: 'none',
  },
  set_join_token: {
    module: 'workers',
    name: 'set_join_token',
    params: [
      obj('cluster', CLUSTER, '&'),
      obj('worker', WORKER, '&mut'),
      pure('ciphertext', BYTES),
      pure('timestamp_ms', 'u64'),
      pure('signature', BYTES),
      clock,
    ],
    txContext: 'none',
  },
  heartbeat: {
    module: 'workers',
    name: 'heartbeat',
    params: [obj('worker', WORKER, '&mut'), clock],
    txContext: '&',
  },
  mark_inactive: {
    module: 'workers',
    name: 'mark_inactive',
    params: [obj('cluster', CLUSTER, '&'), obj('worker', WORKER, '&mut'), clock],
    txContext: 'none',
  },
  leave: {
    module: 'workers',
    name: 'leave',
    params: [obj('cluster', CLUSTER, '&'), obj('worker', WORKER, '&mut'), clock],
    txContext: '&',
  },
  withdraw: {
    module: 'workers',
    name: 'withdraw',
    params: [obj('worker', WORKER, 'value'), clock],
    txContext: '&mut',
  },
  slash: {
    module: 'workers',
    name: 'slash',
    params: [obj('cap', CAP, '&'), obj('cluster', CLUSTER, '&mut'), obj('worker', WORKER, '&mut'), pure('amount', 'u64'), pure('reason', 'u8')],
    txContext: 'none',
  },
  migrate: {
    module: 'workers',
    name: 'migrate',
    params: [obj('cap', CAP, '&'), obj('worker', WORKER, '&mut')],
    txContext: 'none',
  },
} satisfies Record<string, FunctionAbi>;

const SESSION_RECORD_FIELDS = [
  pure('opened_ms', 'u64'),
  pure('closed_ms', 'u64'),
  pure('bytes_down', 'u64'),
  pure('bytes_up', 'u64'),
  pure('frames', 'u64'),
  pure('has_exit_code', 'bool'),
  pure('exit_code', 'u32'),
  pure('reason', 'u8'),
  pure('transcript_digest', BYTES),
];

export const SESSION_FUNCTIONS = {
  open_session: {
    module: 'session',
    name: 'open_session',
    params: [
      obj('cluster', CLUSTER, '&'),
      pure('request_id', ID),
      pure('requester', 'address'),
      pure('expires_ms', 'u64'),
      pure('timestamp_ms', 'u64'),
      pure('signature', BYTES),
      clock,
    ],
    txContext: 'none',
  },
  record_session: {
    module: 'session',
    name: 'record_session',
    params: [
      obj('cluster', CLUSTER, '&'),
      pure('request_id', ID),
      pure('requester', 'address'),
      ...SESSION_RECORD_FIELDS,
      pure('timestamp_ms', 'u64'),
      pure('signature', BYTES),
      clock,
    ],
    txContext: 'none',
  },
} satisfies Record<string, FunctionAbi>;

export const FUNCTIONS: FunctionAbi[] = [
  ...Object.values(CLUSTER_FUNCTIONS),
  ...Object.values(ENCLAVE_FUNCTIONS),
  ...Object.values(ACCESS_FUNCTIONS),
  ...Object.values(REQUEST_FUNCTIONS),
  ...Object.values(WORKERS_FUNCTIONS),
  ...Object.values(SESSION_FUNCTIONS),
];

const f = (name: string, type: MoveType) => ({ name, type });
const event = (module: string, name: string, fields: Array<{ name: string; type: MoveType }>): StructAbi => ({
  module,
  name,
  abilities: ['copy', 'drop'],
  fields,
});

/** Objects (key structs) and stored structs, in their Move field order. */
export const OBJECT_STRUCTS: StructAbi[] = [
  {
    module: 'cluster',
    name: 'Cluster',
    abilities: ['key'],
    fields: [
      f('id', UID),
      f('version', 'u64'),
      f('operator', 'address'),
      f('name', STRING),
      f('api_url', STRING),
      f('ca_hash', BYTES),
      f('min_user_stake', 'u64'),
      f('min_write_stake', 'u64'),
      f('min_worker_stake', 'u64'),
      f('stake_lock_ms', 'u64'),
      f('request_timeout_ms', 'u64'),
      f('heartbeat_timeout_ms', 'u64'),
      f('debug', 'bool'),
      f('expected_pcrs', CHUNKS),
      f('enclave_config_version', 'u64'),
      f('enclave_pk', BYTES),
      f('enclave_registered_ms', 'u64'),
      f('gateways', { vector: 'address' }),
      f('stakes', { struct: '0x2::table::Table', typeArgs: [ID, { struct: 'k3sdaas::cluster::Stake' }] }),
      f('namespaces', { struct: '0x2::table::Table', typeArgs: [STRING, ID] }),
      f('read_fee', 'u64'),
      f('write_fee', 'u64'),
      f('revenue', BALANCE_SUI),
      f('worker_policy', 'u8'),
      f('unbonding_ms', 'u64'),
      f('max_slash_bps', 'u64'),
      f('treasury', BALANCE_SUI),
      f('max_session_ms', 'u64'),
    ],
  },
  { module: 'cluster', name: 'ClusterAdminCap', abilities: ['store', 'key'], fields: [f('id', UID), f('cluster_id', ID)] },
  // Declared in `cluster` (Cluster stores it; Move forbids the cluster <-> access cycle), managed by `access`.
  {
    module: 'cluster',
    name: 'Stake',
    abilities: ['store'],
    fields: [
      f('owner', 'address'),
      f('role', 'u8'),
      f('namespace', STRING),
      f('balance', BALANCE_SUI),
      f('prepaid', BALANCE_SUI),
      f('locked_until_ms', 'u64'),
    ],
  },
  {
    module: 'enclave',
    name: 'IntentMessage',
    abilities: ['copy', 'drop'],
    typeParams: ['T'],
    fields: [f('intent', 'u8'), f('timestamp_ms', 'u64'), f('payload', { struct: 'T' })],
  },
  { module: 'access', name: 'SealToken', abilities: ['key'], fields: [f('id', UID), f('cluster_id', ID), f('namespace', STRING)] },
  {
    module: 'credential',
    name: 'Credential',
    abilities: ['copy', 'drop'],
    fields: [f('cluster_id', ID), f('gateway', 'address'), f('token_id', ID), f('expires_ms', 'u64')],
  },
  {
    module: 'request',
    name: 'Request',
    abilities: ['key'],
    fields: [
      f('id', UID),
      f('version', 'u64'),
      f('cluster_id', ID),
      f('requester', 'address'),
      f('gateway', OPTION_ADDRESS),
      f('token_id', ID),
      f('method', STRING),
      f('path', STRING),
      f('body_digest', BYTES),
      f('reply_key', BYTES),
      f('submitted_ms', 'u64'),
      f('deadline_ms', 'u64'),
      f('fee', BALANCE_SUI),
    ],
  },
  {
    module: 'request',
    name: 'ResponsePayload',
    abilities: ['copy', 'drop'],
    fields: [
      f('request_id', ID),
      f('requester', 'address'),
      f('request_body_digest', BYTES),
      f('status', 'u16'),
      f('response_body_digest', BYTES),
    ],
  },
  {
    module: 'workers',
    name: 'Worker',
    abilities: ['key'],
    fields: [
      f('id', UID),
      f('version', 'u64'),
      f('cluster_id', ID),
      f('owner', 'address'),
      f('node_name', STRING),
      f('encryption_key', BYTES),
      f('stake', BALANCE_SUI),
      f('registered_ms', 'u64'),
      f('last_heartbeat_ms', 'u64'),
      f('active', 'bool'),
      f('join_token', BYTES),
      f('approved', 'bool'),
      f('leaving', 'bool'),
      f('withdrawable_ms', 'u64'),
    ],
  },
  {
    module: 'workers',
    name: 'JoinTokenPayload',
    abilities: ['copy', 'drop'],
    fields: [f('worker_id', ID), f('owner', 'address'), f('encryption_key', BYTES), f('ciphertext_digest', BYTES)],
  },
  {
    module: 'session',
    name: 'SessionOpenPayload',
    abilities: ['copy', 'drop'],
    fields: [f('cluster_id', ID), f('request_id', ID), f('requester', 'address'), f('expires_ms', 'u64')],
  },
  {
    module: 'session',
    name: 'SessionRecordPayload',
    abilities: ['copy', 'drop'],
    fields: [
      f('cluster_id', ID),
      f('request_id', ID),
      f('requester', 'address'),
      f('opened_ms', 'u64'),
      f('closed_ms', 'u64'),
      f('bytes_down', 'u64'),
      f('bytes_up', 'u64'),
      f('frames', 'u64'),
      f('has_exit_code', 'bool'),
      f('exit_code', 'u32'),
      f('reason', 'u8'),
      f('transcript_digest', BYTES),
    ],
  },
];

export const EVENT_STRUCTS: StructAbi[] = [
  event('cluster', 'ClusterCreated', [
    f('cluster_id', ID),
    f('cap_id', ID),
    f('operator', 'address'),
    f('name', STRING),
    f('api_url', STRING),
    f('ca_hash', BYTES),
    f('debug', 'bool'),
    f('read_fee', 'u64'),
    f('write_fee', 'u64'),
    f('worker_policy', 'u8'),
    f('unbonding_ms', 'u64'),
    f('max_slash_bps', 'u64'),
  ]),
  event('cluster', 'ClusterUpdated', [
    f('cluster_id', ID),
    f('api_url', STRING),
    f('ca_hash', BYTES),
    f('min_write_stake', 'u64'),
    f('request_timeout_ms', 'u64'),
  ]),
  event('cluster', 'GatewayRegistered', [f('cluster_id', ID), f('gateway', 'address')]),
  event('cluster', 'GatewayRemoved', [f('cluster_id', ID), f('gateway', 'address')]),
  event('cluster', 'FeesUpdated', [f('cluster_id', ID), f('read_fee', 'u64'), f('write_fee', 'u64')]),
  event('cluster', 'WorkerPolicyUpdated', [f('cluster_id', ID), f('worker_policy', 'u8')]),
  event('cluster', 'RevenueWithdrawn', [f('cluster_id', ID), f('recipient', 'address'), f('amount', 'u64')]),
  event('cluster', 'MaxSessionUpdated', [f('cluster_id', ID), f('max_session_ms', 'u64')]),
  event('cluster', 'ClusterMigrated', [f('cluster_id', ID), f('from_version', 'u64'), f('to_version', 'u64')]),
  event('cluster', 'TreasuryWithdrawn', [f('cluster_id', ID), f('recipient', 'address'), f('amount', 'u64')]),
  event('enclave', 'EnclaveRegistered', [
    f('cluster_id', ID),
    f('public_key', BYTES),
    f('debug', 'bool'),
    f('pcrs', CHUNKS),
    f('timestamp_ms', 'u64'),
    f('config_version', 'u64'),
  ]),
  event('enclave', 'EnclaveConfigUpdated', [f('cluster_id', ID), f('config_version', 'u64'), f('pcrs', CHUNKS)]),
  event('access', 'Staked', [
    f('cluster_id', ID),
    f('token_id', ID),
    f('owner', 'address'),
    f('namespace', STRING),
    f('role', 'u8'),
    f('amount', 'u64'),
    f('locked_until_ms', 'u64'),
  ]),
  event('access', 'Unstaked', [f('cluster_id', ID), f('token_id', ID), f('owner', 'address'), f('amount', 'u64'), f('prepaid', 'u64')]),
  event('access', 'Slashed', [f('cluster_id', ID), f('token_id', ID), f('amount', 'u64'), f('reason', 'u8'), f('remaining', 'u64')]),
  event('access', 'NamespaceClaimed', [f('cluster_id', ID), f('token_id', ID), f('owner', 'address'), f('namespace', STRING)]),
  event('access', 'NamespaceReleased', [f('cluster_id', ID), f('token_id', ID), f('namespace', STRING)]),
  event('access', 'NamespaceReserved', [f('cluster_id', ID), f('namespace', STRING)]),
  event('access', 'RoleGranted', [f('cluster_id', ID), f('token_id', ID), f('role', 'u8')]),
  event('access', 'RoleRevoked', [f('cluster_id', ID), f('token_id', ID), f('role', 'u8')]),
  event('access', 'ToppedUp', [f('cluster_id', ID), f('token_id', ID), f('amount', 'u64'), f('prepaid', 'u64')]),
  event('request', 'RequestSubmitted', [
    f('request_id', ID),
    f('cluster_id', ID),
    f('requester', 'address'),
    f('gateway', OPTION_ADDRESS),
    f('token_id', ID),
    f('role', 'u8'),
    f('method', STRING),
    f('path', STRING),
    f('namespace', STRING),
    f('resource', STRING),
    f('body_digest', BYTES),
    f('body_size', 'u64'),
    f('body', BYTES),
    f('body_blob', STRING),
    f('reply_key', BYTES),
    f('submitted_ms', 'u64'),
    f('deadline_ms', 'u64'),
    f('fee', 'u64'),
  ]),
  event('request', 'ResponseStored', [
    f('request_id', ID),
    f('cluster_id', ID),
    f('requester', 'address'),
    f('status', 'u16'),
    f('body_digest', BYTES),
    f('body_size', 'u64'),
    f('body', BYTES),
    f('body_blob', STRING),
    f('timestamp_ms', 'u64'),
    f('signature', BYTES),
    f('latency_ms', 'u64'),
    f('fee', 'u64'),
  ]),
  event('request', 'RequestExpired', [
    f('request_id', ID),
    f('cluster_id', ID),
    f('requester', 'address'),
    f('deadline_ms', 'u64'),
    f('refund', 'u64'),
  ]),
  event('workers', 'WorkerRegistered', [
    f('worker_id', ID),
    f('cluster_id', ID),
    f('owner', 'address'),
    f('node_name', STRING),
    f('encryption_key', BYTES),
    f('stake', 'u64'),
    f('timestamp_ms', 'u64'),
    f('approved', 'bool'),
  ]),
  event('workers', 'WorkerApproved', [f('worker_id', ID), f('cluster_id', ID)]),
  event('workers', 'WorkerLeaving', [f('worker_id', ID), f('cluster_id', ID), f('owner', 'address'), f('withdrawable_ms', 'u64')]),
  event('workers', 'JoinTokenSet', [f('worker_id', ID), f('cluster_id', ID), f('ciphertext', BYTES), f('timestamp_ms', 'u64')]),
  event('workers', 'WorkerHeartbeat', [f('worker_id', ID), f('cluster_id', ID), f('timestamp_ms', 'u64')]),
  event('workers', 'WorkerInactive', [
    f('worker_id', ID),
    f('cluster_id', ID),
    f('last_heartbeat_ms', 'u64'),
    f('timestamp_ms', 'u64'),
  ]),
  event('workers', 'WorkerLeft', [f('worker_id', ID), f('cluster_id', ID), f('owner', 'address'), f('amount', 'u64')]),
  event('workers', 'WorkerMigrated', [f('worker_id', ID), f('cluster_id', ID), f('from_version', 'u64'), f('to_version', 'u64')]),
  event('workers', 'WorkerSlashed', [f('worker_id', ID), f('cluster_id', ID), f('amount', 'u64'), f('reason', 'u8'), f('remaining', 'u64')]),
  event('session', 'SessionOpened', [
    f('cluster_id', ID),
    f('request_id', ID),
    f('requester', 'address'),
    f('opened_ms', 'u64'),
    f('expires_ms', 'u64'),
    f('signature', BYTES),
  ]),
  event('session', 'SessionClosed', [
    f('cluster_id', ID),
    f('request_id', ID),
    f('requester', 'address'),
    f('opened_ms', 'u64'),
    f('closed_ms', 'u64'),
    f('bytes_down', 'u64'),
    f('bytes_up', 'u64'),
    f('frames', 'u64'),
    f('has_exit_code', 'bool'),
    f('exit_code', 'u32'),
    f('reason', 'u8'),
    f('transcript_digest', BYTES),
    f('timestamp_ms', 'u64'),
    f('signature', BYTES),
  ]),
];

const errors = (module: string, names: string[]): ErrorAbi[] => names.map((name, code) => ({ module, name, code }));

export const ERRORS: ErrorAbi[] = [
  ...errors('cluster', ['EWrongCap', 'EInvalidTimeout', 'EInvalidPcrs', 'EGatewayExists', 'EGatewayNotFound', 'EInvalidPeriod', 'EInvalidPolicy',
    'EInvalidSlashBound', 'EInvalidSlashReason', 'ESlashTooLarge', 'EWrongVersion', 'ENotUpgraded']),
  ...errors('enclave', [
    'ENotDebugCluster',
    'EInvalidPublicKey',
    'EPcrMismatch',
    'ENoEnclave',
    'EInvalidSignature',
    'EStaleTimestamp',
    'EUserDataMismatch',
    'EStaleAttestation',
  ]),
  ...errors('access', [
    'EInvalidRole',
    'EInsufficientStake',
    'EWrongCluster',
    'EStakeLocked',
    'EUnknownToken',
    'ERoleCannotWrite',
    'ERoleCannotReadSecrets',
    'ERoleCannotWriteClusterScoped',
    'EInsufficientWriteStake',
    'ENotTokenOwner',
    'ERoleCannotProxy',
    'EInvalidNamespace',
    'EReservedNamespace',
    'ENamespaceTaken',
    'ETenantOutsideNamespace',
    'ETenantClusterScoped',
    'ETenantNonResource',
    'ENoRole',
    'EStakeBelowMinimum',
    'EInsufficientBalance',
  ]),
  ...errors('credential', ['EMalformedCredential', 'EUnsupportedScheme', 'EInvalidSignature', 'EExpired']),
  ...errors('request', [
    'EInvalidMethod',
    'EInvalidPath',
    'EInvalidReplyKey',
    'EInvalidDigest',
    'EBodyTooLarge',
    'EGatewayNotRegistered',
    'EWrongGateway',
    'EDeadlinePassed',
    'EDeadlineNotReached',
    'EWrongClusterRequest',
    'EWrongVersion',
  ]),
  ...errors('workers', [
    'EInsufficientStake',
    'EInvalidNodeName',
    'EInvalidEncryptionKey',
    'EWrongCluster',
    'EInactive',
    'ENotOwner',
    'EHeartbeatNotExpired',
    'EAlreadyApproved',
    'ENotApproved',
    'EStakeBelowMinimum',
    'EAlreadyLeaving',
    'ENotLeaving',
    'EUnbonding',
    'EWrongVersion',
    'ENotUpgraded',
  ]),
  ...errors('session', ['EInvalidDigest', 'EInvalidTimes', 'EUnknownReason']),
];

/** Protocol constants shared by Move and TypeScript. */
/** `cluster::VERSION`: the version shared objects must carry for this package's entries. */
export const PACKAGE_VERSION = 1;
export const INTENT_RESPONSE = 0;
export const INTENT_JOIN_TOKEN = 1;
export const INTENT_SESSION_OPEN = 2;
export const INTENT_SESSION_RECORD = 3;
export const MAX_INLINE_BODY = 98_304;
export const MAX_PURE_ARG = 16 * 1024;
export const MAX_PATH = 1024;
export const MAX_SIGNATURE_AGE_MS = 60_000;
export const MAX_CLOCK_SKEW_MS = 10_000;
/** Cluster roles, granted by the ClusterAdminCap holder (`access::grant`, `access::stake_granted`). */
export const ROLES = { viewer: 0, editor: 1, admin: 2 } as const;
export type RoleName = keyof typeof ROLES;
/** `access::ROLE_TENANT`: no cluster role; the token is a tenant of the namespace it claimed. */
export const ROLE_TENANT = 3;
/** Upper bounds the contract enforces (cluster::create / update). */
export const MAX_REQUEST_TIMEOUT_MS = 3_600_000;
export const MAX_HEARTBEAT_TIMEOUT_MS = 604_800_000;
export const MAX_STAKE_LOCK_MS = 31_536_000_000;
export const MAX_UNBONDING_MS = 2_592_000_000;
/** `cluster::set_max_session_ms` bound (1 day) and the value a new Cluster starts with (30 min). */
export const MAX_SESSION_MS = 86_400_000;
export const DEFAULT_MAX_SESSION_MS = 1_800_000;
/** `Cluster.worker_policy`: the cap holder approves each worker, or anyone staking enough joins. */
export const WORKER_POLICIES = { approval: 0, open: 1 } as const;
export type WorkerPolicyName = keyof typeof WORKER_POLICIES;
/** Slash reasons (`reason: u8` of access::slash / workers::slash). */
export const SLASH_REASONS = { policy: 1, abuse: 2, faulty: 3, downtime: 4, other: 5 } as const;
export type SlashReasonName = keyof typeof SLASH_REASONS;
/** `max_slash_bps` is in basis points (10 000 = the whole stake). */
export const MAX_SLASH_BPS = 10_000;
/** Longest namespace / node name (DNS-1123). */
export const MAX_DNS_NAME = 63;

/** Modules with only `public(package)` functions (no entry point, struct or error of their own). */
export const INTERNAL_MODULES = ['names'];

export const K3SDAAS_ABI = { functions: FUNCTIONS, structs: [...OBJECT_STRUCTS, ...EVENT_STRUCTS], errors: ERRORS };

/** Finds the error name for an abort code (`module` is the Move module that aborted). */
export function errorName(module: string, code: number | bigint): string | undefined {
  return ERRORS.find((e) => e.module === module && e.code === Number(code))?.name;
}
