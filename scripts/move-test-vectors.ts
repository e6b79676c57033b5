/**
 * Generates move/tests/vectors_tests.move: fixed ed25519 keys and real signatures the Move unit tests need
 * (enclave signatures over IntentMessage<ResponsePayload | JoinTokenPayload>, a user's personal-message
 * signature over a Credential). Deterministic: fixed secret keys, fixed inputs, and object ids derived the way
 * the Move test VM derives them in test_scenario (tx digest of `new_from_hint(hint)`, creation counter).
 *
 *   npx tsx scripts/move-test-vectors.ts > move/tests/vectors_tests.move
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blake2b } from '@noble/hashes/blake2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bcs, type BcsType } from '@mysten/sui/bcs';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fill = (byte: number, length = 32) => new Uint8Array(length).fill(byte);
const blake2b256 = (data: Uint8Array) => blake2b(data, { dkLen: 32 });

/** `tx_context::dummy_tx_hash_with_hint(hint)`: bcs(u64 hint) padded with zeros to 32 bytes. */
function txHash(hint: number): Uint8Array {
  const out = new Uint8Array(32);
  out.set(bcs.u64().serialize(BigInt(hint)).toBytes());
  return out;
}

/** Object id the test VM gives the `n`-th object created in scenario transaction `hint`. */
function scenarioId(hint: number, n: number): string {
  const input = new Uint8Array(1 + 32 + 8);
  input[0] = 0xf1; // HashingIntentScope::RegularObjectId
  input.set(txHash(hint), 1);
  input.set(bcs.u64().serialize(BigInt(n)).toBytes(), 33);
  return `0x${hex(blake2b256(input))}`;
}

const IntentMessage = <T, I>(payload: BcsType<T, I>) =>
  bcs.struct('IntentMessage', { intent: bcs.u8(), timestamp_ms: bcs.u64(), payload });
const ResponsePayload = bcs.struct('ResponsePayload', {
  request_id: bcs.Address,
  requester: bcs.Address,
  request_body_digest: bcs.vector(bcs.u8()),
  status: bcs.u16(),
  response_body_digest: bcs.vector(bcs.u8()),
});
const JoinTokenPayload = bcs.struct('JoinTokenPayload', {
  worker_id: bcs.Address,
  owner: bcs.Address,
  encryption_key: bcs.vector(bcs.u8()),
  ciphertext_digest: bcs.vector(bcs.u8()),
});
const Credential = bcs.struct('Credential', {
  cluster_id: bcs.Address,
  gateway: bcs.Address,
  token_id: bcs.Address,
  expires_ms: bcs.u64(),
});

// Keys (fixed secret keys; test-only).
const enclave = Ed25519Keypair.fromSecretKey(fill(0x01));
const user = Ed25519Keypair.fromSecretKey(fill(0x02));
const userAddress = user.getPublicKey().toSuiAddress();

// Fixed inputs shared with the Move tests.
const T0 = 1_700_000_000_000n; // clock at the start of every scenario
const GATEWAY = `0x${'6a7e'.padStart(64, '0')}`;
const WORKER = `0x${'b0b'.padStart(64, '0')}`;
const REQUEST_DIGEST = fill(0xaa);
const RESPONSE_DIGEST = fill(0xbb);
const RESPONSE_STATUS = 200;
const RESPONSE_TS = T0 + 1_000n;
const EXPIRES_MS = T0 + 3_600_000n;
const WORKER_KEY = fill(0xcc);
const CIPHERTEXT = new TextEncoder().encode('k3s join token ciphertext');
const JOIN_TS = T0 + 2_000n;

// Ids fixed by the scenario layout in env_tests.move: tx0 creates the cluster (first object), tx2 mints a
// coin then stakes (token) or registers (worker), tx3 submits the request.
const CLUSTER_ID = scenarioId(0, 0);
const TOKEN_ID = scenarioId(2, 1);
const WORKER_ID = scenarioId(2, 1);
const REQUEST_ID = scenarioId(3, 0);

async function main() {
  const goldenHex = readFileSync(join(ROOT, 'test/golden/intent-message.hex'), 'utf8').trim();
  const golden = IntentMessage(ResponsePayload)
    .serialize({
      intent: 0,
      timestamp_ms: 1_700_000_000_000n,
      payload: {
        request_id: `0x${'11'.repeat(32)}`,
        requester: `0x${'22'.repeat(32)}`,
        request_body_digest: fill(0xaa),
        status: 201,
        response_body_digest: fill(0xbb),
      },
    })
    .toBytes();
  if (hex(golden) !== goldenHex) throw new Error('IntentMessage encoding differs from test/golden/intent-message.hex');

  const response = IntentMessage(ResponsePayload)
    .serialize({
      intent: 0,
      timestamp_ms: RESPONSE_TS,
      payload: {
        request_id: REQUEST_ID,
        requester: userAddress,
        request_body_digest: REQUEST_DIGEST,
        status: RESPONSE_STATUS,
        response_body_digest: RESPONSE_DIGEST,
      },
    })
    .toBytes();
  const joinToken = IntentMessage(JoinTokenPayload)
    .serialize({
      intent: 1,
      timestamp_ms: JOIN_TS,
      payload: { worker_id: WORKER_ID, owner: WORKER, encryption_key: WORKER_KEY, ciphertext_digest: sha256(CIPHERTEXT) },
    })
    .toBytes();
  const credential = Credential.serialize({
    cluster_id: CLUSTER_ID,
    gateway: GATEWAY,
    token_id: TOKEN_ID,
    expires_ms: EXPIRES_MS,
  }).toBytes();
  const credentialSig = Buffer.from((await user.signPersonalMessage(credential)).signature, 'base64');

  const consts: Array<[string, string, string]> = [
    ['T0', 'u64', `${T0}`],
    ['ENCLAVE_PK', 'vector<u8>', `x"${hex(enclave.getPublicKey().toRawBytes())}"`],
    ['USER', 'address', `@${userAddress}`],
    ['USER_PK', 'vector<u8>', `x"${hex(user.getPublicKey().toRawBytes())}"`],
    ['GATEWAY', 'address', `@${GATEWAY}`],
    ['WORKER', 'address', `@${WORKER}`],
    ['CLUSTER_ID', 'address', `@${CLUSTER_ID}`],
    ['TOKEN_ID', 'address', `@${TOKEN_ID}`],
    ['WORKER_ID', 'address', `@${WORKER_ID}`],
    ['REQUEST_ID', 'address', `@${REQUEST_ID}`],
    ['GOLDEN_BYTES', 'vector<u8>', `x"${goldenHex}"`],
    ['GOLDEN_SIG', 'vector<u8>', `x"${hex(await enclave.sign(golden))}"`],
    ['REQUEST_DIGEST', 'vector<u8>', `x"${hex(REQUEST_DIGEST)}"`],
    ['RESPONSE_DIGEST', 'vector<u8>', `x"${hex(RESPONSE_DIGEST)}"`],
    ['RESPONSE_STATUS', 'u16', `${RESPONSE_STATUS}`],
    ['RESPONSE_TS', 'u64', `${RESPONSE_TS}`],
    ['RESPONSE_SIG', 'vector<u8>', `x"${hex(await enclave.sign(response))}"`],
    ['EXPIRES_MS', 'u64', `${EXPIRES_MS}`],
    ['CREDENTIAL', 'vector<u8>', `x"${hex(credential)}"`],
    ['CREDENTIAL_SIG', 'vector<u8>', `x"${hex(credentialSig)}"`],
    ['WORKER_KEY', 'vector<u8>', `x"${hex(WORKER_KEY)}"`],
    ['CIPHERTEXT', 'vector<u8>', `b"${new TextDecoder().decode(CIPHERTEXT)}"`],
    ['JOIN_TS', 'u64', `${JOIN_TS}`],
    ['JOIN_SIG', 'vector<u8>', `x"${hex(await enclave.sign(joinToken))}"`],
  ];

  const lines = [
    '// Generated by scripts/move-test-vectors.ts; do not edit by hand.',
    '// Regenerate: npx tsx scripts/move-test-vectors.ts > move/tests/vectors_tests.move',
    '#[test_only]',
    'module k3sdaas::vectors_tests;',
    '',
    ...consts.map(([name, type, value]) => `const ${name}: ${type} = ${value};`),
    '',
    ...consts.map(([name, type]) => {
      const fn = name.toLowerCase();
      return `public fun ${fn}(): ${type} { ${name} }`;
    }),
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
