/** Reading and decoding request bodies: JSON, YAML, and the Kubernetes protobuf envelope. */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeKubeProtobuf } from './protobuf.js';
import { KubeApiError, badRequest, unsupportedMediaType } from './status.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new KubeApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The media type without parameters, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Decodes a body by Content-Type (JSON when absent); empty bodies decode to undefined. */
export function decodeBody(contentType: string | undefined, body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return decodeKubeProtobuf(body);
  const text = body.toString('utf8');
  try {
    if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return parseYaml(text);
    if (type === '' || type === 'application/json' || type.endsWith('+json')) return JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding request body: ${(err as Error).message}`);
  }
  throw unsupportedMediaType(type);
}
