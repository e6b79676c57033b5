import { K3sDaasError } from '../errors.js';

/** A configuration problem: names the offending key; the CLI prints the message and exits 2. */
export class ConfigError extends K3sDaasError {
  constructor(message: string, data: { key?: string } = {}) {
    super('CONFIG_INVALID', message, { data });
  }
}
