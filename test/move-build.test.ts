/**
 * The committed Move build (move/build/k3sdaas.json) must come from the current move/ sources: CI has no Sui
 * framework snapshot, so it cannot compile; it checks the recorded source hash and the module list instead.
 * After changing move/, run `npm run move:build` (see move/README.md) and commit the new build.
 */
import { join } from 'node:path';
import { deserialize } from '@mysten/move-bytecode-template';
import { describe, expect, it } from 'vitest';
import { buildDigestBytes, findPackageRoot, loadCommittedBuild } from '../src/core/move/build.js';
import { moveSourceHash } from '../src/core/move/source-hash.js';

const EXPECTED_MODULES = ['access', 'cluster', 'credential', 'enclave', 'names', 'request', 'session', 'workers'];

interface ModuleNames {
  self_module_handle_idx: number;
  module_handles: Array<{ address: number; name: number }>;
  identifiers: string[];
}

function moduleName(base64: string): string {
  const m = deserialize(new Uint8Array(Buffer.from(base64, 'base64'))) as ModuleNames;
  return m.identifiers[m.module_handles[m.self_module_handle_idx].name];
}

describe('committed Move build', () => {
  const root = findPackageRoot();
  const build = loadCommittedBuild(root);

  it('was built from the current move/ sources (else run `npm run move:build` and commit)', () => {
    expect(build.sourceHash).toBe(moveSourceHash(join(root, 'move')));
  });

  it('has exactly one module per k3sdaas module', () => {
    expect(build.modules.map(moduleName).sort()).toEqual(EXPECTED_MODULES);
  });

  it('depends on the Move stdlib and the Sui framework and records its digest and compiler', () => {
    const deps = build.dependencies.map((d) => BigInt(d));
    expect(deps).toContain(1n);
    expect(deps).toContain(2n);
    expect(buildDigestBytes(build)).toHaveLength(32);
    expect(build.compiler).toMatch(/^sui-move-builder /);
  });
});
