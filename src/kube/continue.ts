/**
 * Opaque continue tokens for paginated lists, in the real server's shape: base64url of
 * `{"v":"meta.k8s.io/v1","rv":<list RV>,"start":"<last key>\u0000"}`. The next page is the list as it was at `rv`
 * (a consistent snapshot from the store's history); a token whose RV is no longer kept answers 410 Expired, and a
 * token that does not decode answers 400 BadRequest.
 */
import { KubeApiError, badRequest } from './status.js';

export interface ContinueToken {
  rv: number;
  /** Items whose sort key is greater than this come next. */
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: `${token.start}\u0000` })).toString('base64url');
}

export function decodeContinue(text: string): ContinueToken {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(text)) throw new Error('illegal base64 data');
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (err) {
    throw badRequest(`continue key is not valid: ${(err as Error).message.includes('base64') ? 'illegal base64 data' : 'not a continue token'}`);
  }
  const p = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (p === null || typeof p !== 'object' || p.v !== 'meta.k8s.io/v1') {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof p.rv !== 'number' || !Number.isSafeInteger(p.rv) || p.rv <= 0) {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof p.start !== 'string' || !p.start.endsWith('\u0000') || p.start.includes('..')) {
    throw badRequest('continue key is not valid: encoded start key is not valid');
  }
  return { rv: p.rv, start: p.start.slice(0, -1) };
}

export function continueExpired(): KubeApiError {
  return new KubeApiError(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
}
