/** localnet logs through src/core/log.ts (JSON lines on stderr); internally a logger is one function. */
import { createLogger, type Logger as CoreLogger, type LogLevel } from '../core/log.js';

export type { LogLevel };
export type Logger = (level: LogLevel, msg: string, data?: Record<string, unknown>) => void;

export const fromCoreLogger = (l: CoreLogger): Logger => (level, msg, data) => l[level](msg, data);

export const defaultLogger = (): Logger => fromCoreLogger(createLogger({ fields: { component: 'localnet' } }));

export const silentLogger: Logger = () => {};
