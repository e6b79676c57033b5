import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { open, seal, SEALED_OVERHEAD } from './sealed-box.js';
import { enclaveDecryptionKey, enclaveEncryptionKey, generateEncryptionKey } from './keys.js';
import { CryptoError } from './errors.js';

const text = (s: string) => new TextEncoder().encode(s);
const ad = text('request 0x01');

describe('sealed box', () => {
  const bob = generateEncryptionKey();
  const msg = text('apiVersion: v1\nkind: Secret\ndata: {password: aHVudGVyMg==}');

  it('round-trips and hides the plaintext', () => {
    const sealed = seal(msg, bob.publicKey, 'request-body', ad);
    expect(sealed.length).toBe(msg.length + SEALED_OVERHEAD);
    expect(Buffer.from(sealed).includes(Buffer.from('aHVudGVyMg=='))).toBe(false);
    expect(open(sealed, bob.secretKey, 'request-body', ad)).toEqual(msg);
  });

  it('two seals of the same plaintext differ (fresh ephemeral key)', () => {
    expect(seal(msg, bob.publicKey, 'request-body', ad)).not.toEqual(seal(msg, bob.publicKey, 'request-body', ad));
  });

  const failures: Array<[string, (s: Uint8Array) => () => unknown]> = [
    ['another recipient', (s) => () => open(s, generateEncryptionKey().secretKey, 'request-body', ad)],
    ['other associated data (moved to another request)', (s) => () => open(s, bob.secretKey, 'request-body', text('request 0x02'))],
    ['another purpose', (s) => () => open(s, bob.secretKey, 'join-token', ad)],
    ['a flipped byte', (s) => () => {
      const t = s.slice();
      t[t.length - 20] ^= 1;
      return open(t, bob.secretKey, 'request-body', ad);
    }],
    ['truncation', (s) => () => open(s.subarray(0, 20), bob.secretKey, 'request-body', ad)],
  ];
  for (const [name, attempt] of failures) {
    it(`refuses ${name}`, () => {
      const sealed = seal(msg, bob.publicKey, 'request-body', ad);
      expect(attempt(sealed)).toThrow(CryptoError);
    });
  }

  it('the enclave ed25519 key receives bodies through its X25519 form', () => {
    const { secretKey, publicKey } = ed25519.keygen();
    const sealed = seal(msg, enclaveEncryptionKey(publicKey), 'request-body', ad);
    expect(open(sealed, enclaveDecryptionKey(secretKey), 'request-body', ad)).toEqual(msg);
  });
});
