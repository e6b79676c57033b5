/** Helpers for the confidentiality and tampering tests: funded accounts, decoded chain events, hand-made requests. */
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { vi } from 'vitest';
import * as calls from '../../src/core/calls/index.js';
import { TransactionExecutor, type ChainClient } from '../../src/core/chain/index.js';
import type { EncryptionKeyPair } from '../../src/core/crypto/index.js';
import type { HttpRequestEnvelope } from '../../src/core/envelope/index.js';
import { decodeEvent, type K3sDaasEvent, type RequestSubmitted, type ResponseStored } from '../../src/core/events/index.js';
import type { Localnet } from '../../src/localnet/index.js';
import { sealRequest } from '../../src/core/protocol/index.js';

/** A fresh account with faucet SUI and its own executor (never shares gas coins with the sandbox's accounts). */
export async function fundedAccount(client: ChainClient, localnet: Localnet) {
  const keypair = new Ed25519Keypair();
  await requestSuiFromFaucetV2({ host: localnet.faucetUrl, recipient: keypair.toSuiAddress() });
  return { keypair, address: keypair.toSuiAddress(), executor: new TransactionExecutor(client, keypair) };
}

/** Every K3s-DaaS event localnet has indexed, decoded, in ledger order. */
export function chainEvents(localnet: Localnet): K3sDaasEvent[] {
  const out: K3sDaasEvent[] = [];
  for (const e of localnet.chain.events) {
    const ev = decodeEvent({ eventType: e.event.type, bcs: e.event.contents }, { packageId: localnet.packageId });
    if (ev) out.push(ev);
  }
  return out;
}

const same = (a: string, b: string) => normalizeSuiAddress(a) === normalizeSuiAddress(b);

export function submittedEvents(localnet: Localnet): RequestSubmitted[] {
  return chainEvents(localnet).filter((e): e is RequestSubmitted => e.$kind === 'RequestSubmitted');
}

export async function waitResponse(localnet: Localnet, requestId: string, timeoutMs = 20_000): Promise<ResponseStored> {
  let found: ResponseStored | undefined;
  await vi.waitFor(
    () => {
      found = chainEvents(localnet).find((e): e is ResponseStored => e.$kind === 'ResponseStored' && same(e.requestId, requestId));
      if (!found) throw new Error(`no answer yet for ${requestId}`);
    },
    { timeout: timeoutMs, interval: 50 },
  );
  return found!;
}

/** Seals `http` to the enclave with a chosen reply key (the production path draws a fresh one per request). */
export function sealWithReplyKey(o: { clusterId: string; requester: string; enclavePublicKey: Uint8Array; reply: EncryptionKeyPair; http: HttpRequestEnvelope }) {
  const { method, path, bodyDigest, bodySize, body } = sealRequest(o);
  return { method, path, bodyDigest, bodySize, body };
}

/** `request::submit` with the sender's own SealToken; returns the RequestSubmitted event. */
export async function submitDirect(
  executor: TransactionExecutor,
  o: { packageId: string; clusterId: string; tokenId: string; method: string; path: string; bodyDigest: Uint8Array; bodySize: number; body: Uint8Array; replyKey: Uint8Array },
): Promise<RequestSubmitted> {
  const tx = await executor.execute(
    calls.request.submit({
      package: o.packageId,
      arguments: {
        cluster: o.clusterId,
        token: o.tokenId,
        method: o.method,
        path: o.path,
        bodyDigest: o.bodyDigest,
        bodySize: o.bodySize,
        body: o.body,
        replyKey: o.replyKey,
      },
    }),
  );
  for (const e of tx.events) {
    const ev = decodeEvent(e, { packageId: o.packageId });
    if (ev?.$kind === 'RequestSubmitted') return ev;
  }
  throw new Error('submit emitted no RequestSubmitted');
}
