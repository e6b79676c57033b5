import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, redactedConfig } from './load.js';
import { ConfigError } from './errors.js';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-config-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(path, text);
  return path;
}

const ID_A = '0x' + 'a'.repeat(64);
const ID_B = '0x' + 'b'.repeat(64);
const ID_C = '0x' + 'c'.repeat(64);

describe('config precedence', () => {
  it('uses defaults when nothing is set', () => {
    const c = loadConfig({ file: file(''), env: {} });
    expect(c.get('network')).toBe('localnet');
    expect(c.values.network.source).toBe('default');
    expect(c.network.rpcUrl).toBe('http://127.0.0.1:9000');
    expect(c.network.faucetUrl).toBe('http://127.0.0.1:9123');
  });

  it('flag beats env beats file beats default', () => {
    const path = file(`clusterId: ${ID_A}\npackageId: ${ID_A}\nnetwork: testnet\n`);
    const env = { K3SDAAS_CLUSTER_ID: ID_B, K3SDAAS_PACKAGE_ID: ID_B };
    const c = loadConfig({ file: path, env, flags: { clusterId: ID_C } });
    expect(c.values.clusterId).toEqual({ value: ID_C, source: 'flag' });
    expect(c.values.packageId).toEqual({ value: ID_B, source: 'env' });
    expect(c.values.network).toEqual({ value: 'testnet', source: 'file' });
    expect(c.values.logLevel).toEqual({ value: 'info', source: 'default' });
    expect(c.network.rpcUrl).toBe('https://fullnode.testnet.sui.io:443');
  });

  it('accepts nested YAML for dotted keys', () => {
    const c = loadConfig({ file: file('gateway:\n  listen: 0.0.0.0:7443\n'), env: {} });
    expect(c.get('gateway.listen')).toBe('0.0.0.0:7443');
  });

  it('a URL network is its own gRPC endpoint', () => {
    const c = loadConfig({ file: file(''), env: { K3SDAAS_NETWORK: 'http://127.0.0.1:9100/' } });
    expect(c.network).toMatchObject({ name: 'custom', rpcUrl: 'http://127.0.0.1:9100' });
  });
});

describe('config validation names the bad key', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['unknown file key', () => loadConfig({ file: file('clusterid: 0x1\n'), env: {} }), /unknown key 'clusterid'/],
    ['bad network in env', () => loadConfig({ file: file(''), env: { K3SDAAS_NETWORK: 'moon' } }), /invalid 'network' \(from env K3SDAAS_NETWORK\)/],
    ['bad id in file', () => loadConfig({ file: file('packageId: nope\n'), env: {} }), /invalid 'packageId' \(from .*config\.yaml\)/],
    ['bad flag', () => loadConfig({ file: file(''), env: {}, flags: { logLevel: 'loud' } }), /invalid 'logLevel' \(from flag\): must be one of/],
    ['bad listen', () => loadConfig({ file: file('gateway: { listen: nohost }\n'), env: {} }), /invalid 'gateway.listen'/],
    ['not YAML', () => loadConfig({ file: file('a: [\n'), env: {} }), /not valid YAML/],
    ['missing --config file', () => loadConfig({ file: '/nonexistent/k3sdaas.yaml', env: {} }), /config file not found/],
    ['bad private key', () => loadConfig({ file: file(''), env: { K3SDAAS_PRIVATE_KEY: 'hunter2' } }), /invalid 'privateKey'/],
  ];
  for (const [name, run, message] of cases) {
    it(name, () => {
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(message);
    });
  }

  it('a rejected secret is not echoed in the error', () => {
    expect.assertions(1);
    try {
      loadConfig({ file: file(''), env: { K3SDAAS_PRIVATE_KEY: 'hunter2' } });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});

describe('redaction', () => {
  it('never shows the private key', () => {
    const key = 'suiprivkey1qzdlfxn2qa2lj5uprl8pyhexs02sg2wrhdy7qaq50cqgnffw4c2477kg9h3';
    const c = loadConfig({ file: file(''), env: { K3SDAAS_PRIVATE_KEY: key } });
    const shown = JSON.stringify(redactedConfig(c));
    expect(shown).not.toContain(key);
    expect(redactedConfig(c).privateKey).toEqual({ value: '<redacted>', source: 'env' });
  });
});
