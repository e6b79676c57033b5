/** Encryption and decryption failures; the message never contains key material or plaintext. */
export class CryptoError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: 'CRYPTO_BAD_KEY' | 'CRYPTO_MALFORMED' | 'CRYPTO_DECRYPT_FAILED' | 'CRYPTO_DIGEST_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'CryptoError';
  }
}
