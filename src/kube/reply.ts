/** What a handler answers: a status code and a JSON body (or plain text for logs), or a stream (watch). */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  code: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** When set, the server hands the response over instead of sending `body` (watch streams). */
  stream?: (req: IncomingMessage, res: ServerResponse) => void;
}

export const json = (code: number, body: unknown, headers?: Record<string, string>): Reply => ({ code, body, headers });
export const text = (code: number, body: string): Reply => ({ code, body, contentType: 'text/plain' });
export const streamed = (stream: NonNullable<Reply['stream']>): Reply => ({ code: 200, body: null, stream });
