/**
 * The end-to-end encrypted channel of a session (a watch, a log follow): frames between the requester side (gateway
 * or kubectl-proxy) and the enclave, over any relay (the WebSocket to nautilus's host), which sees only ciphertext.
 *
 * Keys: the enclave makes a fresh X25519 key per session and puts its public half in the session grant, which it
 * seals to the request's reply key and answers on chain with `respond` (so the grant is signed by the enclave key
 * the contract verified). Both ends agree X25519(session key, reply key) and derive with HKDF-SHA256 (salt = the
 * request id, info = direction) one ChaCha20-Poly1305 key per direction. Nonces are the frame's sequence number, so
 * a frame dropped, replayed or reordered does not open. Only the enclave and the holder of the reply key can read
 * or write frames.
 *
 * Transcript digest: h0 = sha256("k3sdaas/session/v1" ‖ request id), h(i) = sha256(h(i-1) ‖ direction ‖ seq ‖
 * sha256(plaintext)). Both ends compute it; the enclave's final value is in the closing frame, and a requester that
 * kept its reply key can recompute it from a saved transcript.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CryptoError } from '../crypto/index.js';
import { x25519SharedSecret } from '../crypto/x25519.js';

/** Which way a frame travels: from the enclave to the requester, or back. */
export type Direction = 'down' | 'up';
const DIR_BYTE: Record<Direction, number> = { down: 1, up: 2 };

/** Frame kinds (first plaintext byte). */
export const FRAME = { hello: 0, head: 1, data: 2, end: 3 } as const;
export type FrameKind = (typeof FRAME)[keyof typeof FRAME];

export interface Frame {
  kind: FrameKind;
  payload: Uint8Array;
}

function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.replace(/^0x/, ''), 'hex'));
}

function directionKey(shared: Uint8Array, requestId: string, dir: Direction): Uint8Array {
  return hkdf(sha256, shared, hexToBytes(requestId), new TextEncoder().encode(`k3sdaas/v1/session-${dir}`), 32);
}

function nonce(seq: number): Uint8Array {
  const n = new Uint8Array(12);
  new DataView(n.buffer).setBigUint64(4, BigInt(seq));
  return n;
}

export function initialDigest(requestId: string): Uint8Array {
  const label = new TextEncoder().encode('k3sdaas/session/v1');
  const id = hexToBytes(requestId);
  const b = new Uint8Array(label.length + id.length);
  b.set(label);
  b.set(id, label.length);
  return sha256(b);
}

/** One step of the transcript hash chain. */
export function chainDigest(prev: Uint8Array, dir: Direction, seq: number, plaintext: Uint8Array): Uint8Array {
  const b = new Uint8Array(32 + 1 + 8 + 32);
  b.set(prev, 0);
  b[32] = DIR_BYTE[dir];
  new DataView(b.buffer).setBigUint64(33, BigInt(seq));
  b.set(sha256(plaintext), 41);
  return sha256(b);
}

/**
 * One end of a session channel. `send` seals a frame for the other end; `receive` opens one from it. Both update
 * the transcript digest and byte counts.
 */
export class SessionChannel {
  readonly #sendKey: Uint8Array;
  readonly #recvKey: Uint8Array;
  readonly #sendDir: Direction;
  readonly #recvDir: Direction;
  #sendSeq = 0;
  #recvSeq = 0;
  #digest: Uint8Array;
  bytesDown = 0;
  bytesUp = 0;
  frames = 0;
  /** Told of every frame's plaintext as it enters the digest (a saved transcript, session/transcript.ts). */
  onFrame?: (dir: Direction, seq: number, plaintext: Uint8Array) => void;

  private constructor(shared: Uint8Array, requestId: string, side: 'enclave' | 'requester') {
    this.#sendDir = side === 'enclave' ? 'down' : 'up';
    this.#recvDir = side === 'enclave' ? 'up' : 'down';
    this.#sendKey = directionKey(shared, requestId, this.#sendDir);
    this.#recvKey = directionKey(shared, requestId, this.#recvDir);
    this.#digest = initialDigest(requestId);
  }

  /** The enclave's end: its session secret and the request's reply public key. */
  static enclave(requestId: string, sessionSecret: Uint8Array, replyPublicKey: Uint8Array): SessionChannel {
    return new SessionChannel(x25519SharedSecret(sessionSecret, replyPublicKey), requestId, 'enclave');
  }

  /** The requester's end: its reply secret and the session public key from the grant. */
  static requester(requestId: string, replySecret: Uint8Array, sessionPublicKey: Uint8Array): SessionChannel {
    return new SessionChannel(x25519SharedSecret(replySecret, sessionPublicKey), requestId, 'requester');
  }

  /** The transcript digest so far (hex). */
  get digest(): string {
    return Buffer.from(this.#digest).toString('hex');
  }

  #account(dir: Direction, seq: number, plain: Uint8Array): void {
    this.#digest = chainDigest(this.#digest, dir, seq, plain);
    this.onFrame?.(dir, seq, plain);
    if (dir === 'down') this.bytesDown += plain.length - 1;
    else this.bytesUp += plain.length - 1;
    this.frames++;
  }

  send(kind: FrameKind, payload: Uint8Array = new Uint8Array()): Uint8Array {
    const plain = new Uint8Array(1 + payload.length);
    plain[0] = kind;
    plain.set(payload, 1);
    const seq = this.#sendSeq++;
    this.#account(this.#sendDir, seq, plain);
    return chacha20poly1305(this.#sendKey, nonce(seq)).encrypt(plain);
  }

  receive(ciphertext: Uint8Array): Frame {
    const seq = this.#recvSeq;
    let plain: Uint8Array;
    try {
      plain = chacha20poly1305(this.#recvKey, nonce(seq)).decrypt(ciphertext);
    } catch {
      throw new CryptoError('CRYPTO_DECRYPT_FAILED', `session frame ${seq} does not open: another key, replayed, reordered or altered`);
    }
    if (plain.length < 1 || plain[0] > FRAME.end) throw new CryptoError('CRYPTO_MALFORMED', `session frame ${seq} has no known kind`);
    this.#recvSeq++;
    this.#account(this.#recvDir, seq, plain);
    return { kind: plain[0] as FrameKind, payload: plain.subarray(1) };
  }
}
