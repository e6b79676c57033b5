import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '@mysten/sui/utils';
import { bcsForStruct } from './bcs.js';

describe('bcs schemas from the ABI', () => {
  it('encodes IntentMessage<ResponsePayload> to the golden bytes the Move test pins', () => {
    const golden = readFileSync(new URL('../../../test/golden/intent-message.hex', import.meta.url), 'utf8').trim();
    const schema = bcsForStruct('enclave', 'IntentMessage', [{ struct: 'k3sdaas::request::ResponsePayload' }]);
    const bytes = schema
      .serialize({
        intent: 0,
        timestamp_ms: 1_700_000_000_000n,
        payload: {
          request_id: '0x' + '11'.repeat(32),
          requester: '0x' + '22'.repeat(32),
          request_body_digest: new Uint8Array(32).fill(0xaa),
          status: 201,
          response_body_digest: new Uint8Array(32).fill(0xbb),
        },
      })
      .toBytes();
    expect(toHex(bytes)).toBe(golden);
    const back = schema.parse(bytes);
    expect(back.payload.status).toBe(201);
    expect(back.payload.requester).toBe('0x' + '22'.repeat(32));
  });
});
