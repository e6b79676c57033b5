import { describe, expect, it } from 'vitest';
import { ProxySubmitter, UnauthorizedError, newProxySecret } from './submitters.js';
import type { TransactionExecutor } from '../core/chain/index.js';

describe('kubectl-proxy authentication', () => {
  const secret = newProxySecret();
  const proxy = new ProxySubmitter({
    executor: { address: '0x' + 'a'.repeat(64) } as TransactionExecutor,
    packageId: '0x1',
    clusterId: '0x2',
    tokenId: '0x3',
    secret,
  });

  it('serves its own kubeconfig token', async () => {
    await expect(proxy.authenticate(`Bearer ${secret}`)).resolves.toEqual({ user: '0x' + 'a'.repeat(64) });
  });

  for (const [name, header] of [
    ['no token', undefined],
    ['another token', `Bearer ${newProxySecret()}`],
    ['a prefix of the token', `Bearer ${secret.slice(0, 10)}`],
    ['basic auth', 'Basic Zm9vOmJhcg=='],
  ] as const) {
    it(`refuses ${name}`, async () => {
      await expect(proxy.authenticate(header)).rejects.toBeInstanceOf(UnauthorizedError);
    });
  }
});
