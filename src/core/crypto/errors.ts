import { K3sDaasError } from '../errors.js';

export type CryptoErrorCode = 'CRYPTO_BAD_KEY' | 'CRYPTO_MALFORMED' | 'CRYPTO_DECRYPT_FAILED' | 'CRYPTO_DIGEST_MISMATCH';

/** Encryption and decryption failures; the message never contains key material or plaintext. */
export class CryptoError extends K3sDaasError {
  constructor(code: CryptoErrorCode, message: string) {
    super(code, message);
  }
}
