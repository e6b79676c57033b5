import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateEncryptionKey } from '../crypto/index.js';
import { FRAME, SessionChannel } from './channel.js';
import { readTranscript, TranscriptWriter } from './transcript.js';

const id = '0x' + 'cd'.repeat(32);

/** A session between the two ends whose requester keeps its transcript in a file; returns it and the enclave's digest. */
function recordedSession(): { file: string; enclaveDigest: string } {
  const session = generateEncryptionKey();
  const reply = generateEncryptionKey();
  const enclave = SessionChannel.enclave(id, session.secretKey, reply.publicKey);
  const requester = SessionChannel.requester(id, reply.secretKey, session.publicKey);
  const file = join(mkdtempSync(join(tmpdir(), 'k3sdaas-transcript-')), `${id}.transcript`);
  const writer = new TranscriptWriter(file, { sessionId: id, endpoint: 'ws://127.0.0.1:1/x', sessionKey: Buffer.from(session.publicKey).toString('hex'), expiresAtMs: 1 });
  requester.onFrame = (d, s, p) => writer.frame(d, s, p);
  enclave.receive(requester.send(FRAME.hello));
  requester.receive(enclave.send(FRAME.head, new TextEncoder().encode('{"status":200,"headers":[]}')));
  for (const line of ['{"type":"ADDED"}\n', '{"type":"MODIFIED"}\n']) requester.receive(enclave.send(FRAME.data, new TextEncoder().encode(line)));
  requester.receive(enclave.send(FRAME.end, new TextEncoder().encode('{"reason":"stream ended"}')));
  writer.close({ reason: 'stream ended', digest: requester.digest });
  return { file, enclaveDigest: enclave.digest };
}

describe('saved session transcripts', () => {
  it('recompute to the digest both ends computed (the one the enclave signs); the file is private', () => {
    const { file, enclaveDigest } = recordedSession();
    const t = readTranscript(file);
    expect(t).toMatchObject({ requestId: id, digest: enclaveDigest, recordedDigest: enclaveDigest, frames: 5 });
    expect(t.bytesDown).toBeGreaterThan(30);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('an altered frame gives another digest; frames out of sequence or a foreign file are refused', () => {
    const { file, enclaveDigest } = recordedSession();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const data = JSON.parse(lines[3]) as { data: string };
    const altered = [...lines];
    altered[3] = JSON.stringify({ ...data, data: Buffer.from('\x02{"type":"DELETED"}\n').toString('base64') });
    writeFileSync(file, altered.join('\n') + '\n');
    expect(readTranscript(file).digest).not.toBe(enclaveDigest);

    const swapped = [lines[0], lines[1], lines[2], lines[4], lines[3], lines[5]];
    writeFileSync(file, swapped.join('\n') + '\n');
    expect(() => readTranscript(file)).toThrow(/out of sequence/);
    writeFileSync(file, '{"hello":1}\n');
    expect(() => readTranscript(file)).toThrow(/not a k3sdaas\/session-transcript\/v1 header/);
  });
});
