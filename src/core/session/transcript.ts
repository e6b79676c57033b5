/**
 * A saved session transcript (kubectl-proxy --save-reply-keys): the requester's record of every frame of a session
 * both ways, in plaintext as it entered the transcript digest (channel.ts), so `k3sdaas verify <request id>
 * --transcript <file>` can recompute the hash chain and compare it with the enclave's signed record on chain. The
 * file holds what was streamed (it is the requester's own data, on the requester's machine, mode 0600); nothing of
 * it is on chain. One JSON object a line: a header, the frames, and the requester's end (its digest).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { K3sDaasError } from '../errors.js';
import { chainDigest, initialDigest, type Direction } from './channel.js';
import type { SessionGrant } from './grant.js';

export const TRANSCRIPT_FORMAT = 'k3sdaas/session-transcript/v1';

interface HeaderLine {
  format: typeof TRANSCRIPT_FORMAT;
  requestId: string;
  endpoint: string;
  sessionKey: string;
  expiresAtMs: number;
}
interface FrameLine {
  dir: Direction;
  seq: number;
  /** The frame's plaintext (kind byte ‖ payload), base64. */
  data: string;
}
interface EndLine {
  end: { reason: string; digest: string };
}

/** Appends a session's frames to `file` as they flow (synchronously: the file is whole when the session ends). */
export class TranscriptWriter {
  #fd: number | null;

  constructor(file: string, grant: SessionGrant) {
    this.#fd = openSync(file, 'w', 0o600);
    this.#line({ format: TRANSCRIPT_FORMAT, requestId: grant.sessionId, endpoint: grant.endpoint, sessionKey: grant.sessionKey, expiresAtMs: grant.expiresAtMs } satisfies HeaderLine);
  }

  #line(v: HeaderLine | FrameLine | EndLine): void {
    if (this.#fd !== null) writeSync(this.#fd, JSON.stringify(v) + '\n');
  }

  frame(dir: Direction, seq: number, plaintext: Uint8Array): void {
    this.#line({ dir, seq, data: Buffer.from(plaintext).toString('base64') });
  }

  close(end: { reason: string; digest: string }): void {
    if (this.#fd === null) return;
    this.#line({ end });
    closeSync(this.#fd);
    this.#fd = null;
  }
}

export interface SavedTranscript {
  requestId: string;
  /** The digest recomputed from the saved frames (hex). */
  digest: string;
  /** What the requester computed when the session ended (absent when it did not end cleanly). */
  recordedDigest?: string;
  frames: number;
  bytesDown: number;
  bytesUp: number;
}

function malformed(file: string, line: number, why: string): K3sDaasError {
  return new K3sDaasError('TRANSCRIPT_MALFORMED', `${file} line ${line}: ${why}`);
}

/** Reads a saved transcript and recomputes its digest; refuses a file whose frames are out of sequence. */
export function readTranscript(file: string): SavedTranscript {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  if (lines.length === 0) throw malformed(file, 1, 'empty file');
  let header: HeaderLine;
  try {
    header = JSON.parse(lines[0]) as HeaderLine;
  } catch {
    throw malformed(file, 1, 'not JSON');
  }
  if (header.format !== TRANSCRIPT_FORMAT || !/^0x[0-9a-f]{64}$/i.test(header.requestId)) throw malformed(file, 1, `not a ${TRANSCRIPT_FORMAT} header`);
  let digest = initialDigest(header.requestId);
  const next: Record<Direction, number> = { down: 0, up: 0 };
  const out: SavedTranscript = { requestId: header.requestId, digest: '', frames: 0, bytesDown: 0, bytesUp: 0 };
  for (let i = 1; i < lines.length; i++) {
    let v: FrameLine | EndLine;
    try {
      v = JSON.parse(lines[i]) as FrameLine | EndLine;
    } catch {
      throw malformed(file, i + 1, 'not JSON');
    }
    if ('end' in v) {
      if (i !== lines.length - 1) throw malformed(file, i + 1, 'frames after the end');
      out.recordedDigest = v.end.digest;
      break;
    }
    if ((v.dir !== 'down' && v.dir !== 'up') || v.seq !== next[v.dir]) throw malformed(file, i + 1, `frame out of sequence (expected ${v.dir} ${next[v.dir]})`);
    next[v.dir]++;
    const plain = new Uint8Array(Buffer.from(v.data, 'base64'));
    digest = chainDigest(digest, v.dir, v.seq, plain);
    out.frames++;
    if (v.dir === 'down') out.bytesDown += plain.length - 1;
    else out.bytesUp += plain.length - 1;
  }
  out.digest = Buffer.from(digest).toString('hex');
  return out;
}
