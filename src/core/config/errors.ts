/** A configuration problem: names the offending key; the CLI prints the message and exits 2. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly retryable = false;
  constructor(
    message: string,
    readonly data: { key?: string } = {},
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
