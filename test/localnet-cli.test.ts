import { describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { localnetCommand } from '../src/cli/localnet.js';

describe('k3sdaas localnet start', () => {
  it('prints one JSON line once ready and stops on SIGTERM', async () => {
    const lines: string[] = [];
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
      lines.push(String(chunk));
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const program = new Command('k3sdaas').option('--log-level <level>').exitOverride();
    program.addCommand(localnetCommand());
    const done = program.parseAsync(['node', 'k3sdaas', '--log-level', 'error', 'localnet', 'start', '--port', '0', '--faucet-port', '0', '--ephemeral', '--json']);
    try {
      await vi.waitFor(() => expect(lines.length).toBeGreaterThan(0), { timeout: 10_000 });
      const ready = JSON.parse(lines[0]!);
      expect(ready.packageId).toBe('0x000000000000000000000000000000000000000000000000000000000000da45');
      expect(ready.accounts[0].secretKey).toBeUndefined();
      const client = new SuiGrpcClient({ baseUrl: ready.rpcUrl, network: 'localnet' });
      expect((await client.core.getChainIdentifier()).chainIdentifier).toBe(ready.chainId);
    } finally {
      process.emit('SIGTERM');
      await done;
      out.mockRestore();
      err.mockRestore();
    }
  });
});
