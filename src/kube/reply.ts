/** What a handler answers: a status code and a JSON body (or plain text for logs). */
export interface Reply {
  code: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export const json = (code: number, body: unknown, headers?: Record<string, string>): Reply => ({ code, body, headers });
export const text = (code: number, body: string): Reply => ({ code, body, contentType: 'text/plain' });
