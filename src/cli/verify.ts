/**
 * `k3sdaas verify <request-id>`: fetches a request and its answer from chain and checks the enclave's signature
 * against the key registered at the time, the timestamps, the linkage of the answer to the request, the attestation
 * behind the key, and (with --reply-key) the response body against its signed digest. Exit 0 when genuine.
 * `--evidence-out` saves what was fetched; `--evidence` checks saved evidence offline.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { HttpBlobStore } from '../core/blobs/index.js';
import { K3sDaasError } from '../core/errors.js';
import {
  checkSessionClosed,
  checkSessionOpened,
  collectEvidence,
  collectSessionEvents,
  evidenceFromJson,
  evidenceToJson,
  formatVerdict,
  keyInForce,
  verifyEvidence,
  type Evidence,
  type SessionCheck,
} from '../core/verify/index.js';
import { readTranscript } from '../core/session/transcript.js';
import { cliRuntime } from './context.js';

interface VerifyFlags {
  json?: boolean;
  evidenceOut?: string;
  evidence?: string;
  replyKey?: Uint8Array;
  requireAttestation?: boolean;
  maxScan?: number;
  blobUrl?: string;
  blobCa?: string;
  transcriptDigest?: string;
  transcript?: string;
}

const replyKey = (v: string) => {
  const h = v.replace(/^0x/, '');
  if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new InvalidArgumentError('--reply-key must be a 32-byte X25519 secret in hex');
  return new Uint8Array(Buffer.from(h, 'hex'));
};

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

export function verifyCommand(): Command {
  return new Command('verify')
    .description("check that a request was answered by the cluster's enclave: signature, key at the time, timestamps, attestation")
    .argument('<request-id>', 'the on-chain request id (kubectl prints it as `k3sdaas request 0x…`)')
    .option('--json', 'print the verdict as JSON')
    .option('--evidence-out <file>', 'save the evidence fetched from chain (JSON) to <file>')
    .option('--evidence <file>', 'check saved evidence instead of fetching from chain')
    .option('--reply-key <hex>', "the request's X25519 reply secret (kubectl-proxy --save-reply-keys keeps them): also decrypt the response and check its digest", replyKey)
    .option('--require-attestation', 'fail when the key was registered in debug mode (no attestation)')
    .option('--blob-url <url>', 'blob store of the cluster (nautilus --blob-listen) to fetch an off-chain response body from')
    .option('--blob-ca <file>', 'CA certificate (PEM) of the blob store')
    .option('--transcript-digest <hex>', "a streaming session's transcript digest as the requester computed it: check the signed session record against it")
    .option('--transcript <file>', 'a saved session transcript (kubectl-proxy --save-reply-keys keeps <request id>.transcript): recompute its digest and check the signed session record against it')
    .option('--max-scan <n>', 'request events scanned back from the newest (default 20000)', positive)
    .action(async (id: string, flags: VerifyFlags, cmd: Command) => {
      if (flags.transcript) {
        const saved = readTranscript(flags.transcript);
        if (normalizeSuiAddress(saved.requestId) !== normalizeSuiAddress(id)) {
          throw new K3sDaasError('TRANSCRIPT_MISMATCH', `${flags.transcript} is the transcript of request ${saved.requestId}, not ${id}`);
        }
        if (flags.transcriptDigest && flags.transcriptDigest.replace(/^0x/, '').toLowerCase() !== saved.digest) {
          throw new K3sDaasError('TRANSCRIPT_MISMATCH', `--transcript-digest differs from the digest of ${flags.transcript} (${saved.digest})`);
        }
        flags.transcriptDigest = saved.digest;
      }
      let evidence: Evidence;
      if (flags.evidence) {
        evidence = evidenceFromJson(readFileSync(flags.evidence, 'utf8'));
        if (normalizeSuiAddress(evidence.requestId) !== normalizeSuiAddress(id)) {
          throw new K3sDaasError('EVIDENCE_MISMATCH', `${flags.evidence} is evidence for request ${evidence.requestId}, not ${id}`);
        }
      } else {
        const rt = cliRuntime(cmd);
        const blobs = flags.blobUrl ? new HttpBlobStore(flags.blobUrl, { ca: flags.blobCa ? readFileSync(flags.blobCa, 'utf8') : undefined }) : undefined;
        try {
          evidence = await collectEvidence({ client: rt.client, packageId: rt.originalPackageId, requestId: id, maxScan: flags.maxScan, blobs });
        } finally {
          await blobs?.close();
        }
      }
      if (flags.evidenceOut) writeFileSync(flags.evidenceOut, evidenceToJson(evidence) + '\n');
      const verdict = await verifyEvidence(evidence, { replySecret: flags.replyKey, requireAttestation: flags.requireAttestation });
      // A streaming request's session reports (read from chain; saved evidence does not hold them yet).
      const sessions: SessionCheck[] = [];
      if (!flags.evidence) {
        const rt = cliRuntime(cmd);
        const key = keyInForce(evidence)?.publicKey ?? evidence.cluster?.enclavePk;
        for (const ev of await collectSessionEvents(rt.client, rt.originalPackageId, id, flags.maxScan)) {
          if (!key) sessions.push({ kind: ev.$kind === 'SessionOpened' ? 'opened' : 'closed', ok: false, detail: 'no enclave key to check the session report against' });
          else sessions.push(ev.$kind === 'SessionOpened' ? checkSessionOpened(ev, key) : checkSessionClosed(ev, key, flags.transcriptDigest));
        }
        if (flags.transcriptDigest && !sessions.some((c) => c.kind === 'closed')) {
          sessions.push({ kind: 'closed', ok: false, detail: `no session record on chain for ${id} to check the transcript digest against` });
        }
      }
      const text = formatVerdict(verdict) + sessions.map((c) => `\n  session ${c.kind}: ${c.ok ? 'ok' : 'FAILED'} — ${c.detail}`).join('');
      process.stdout.write((flags.json ? JSON.stringify({ ...verdict, sessions }, null, 2) : text) + '\n');
      if (!verdict.ok || sessions.some((c) => !c.ok)) process.exitCode = 1;
    });
}
