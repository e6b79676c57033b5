/**
 * The TypeScript ABI (src/core/abi/package.ts) against the committed bytecode (move/build/k3sdaas.json): every ABI
 * function, struct and error code must exist in the compiled modules with the same shape, so Move and TypeScript
 * cannot drift apart. Each failure lists the mismatches by name.
 *
 * Constant names are not kept in bytecode (no `#[error]` attribute, and the build carries no source maps), so error
 * codes are matched by value per module: every ABI code is a `u64` constant of its module, and every abort site of
 * the module (`LdConst`/`LdU64` followed by `Abort`) aborts with a code the ABI names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from '@mysten/move-bytecode-template';
import { describe, expect, it } from 'vitest';
import { ERRORS, FUNCTIONS, INTERNAL_MODULES, K3SDAAS_ABI } from '../src/core/abi/package.js';
import type { ErrorAbi, FunctionAbi, MoveType, Param, StructAbi } from '../src/core/abi/types.js';
import { findPackageRoot, loadCommittedBuild } from '../src/core/move/build.js';

// === The deserialized module, as @mysten/move-bytecode-template returns it (serde JSON of CompiledModule) ===

type Token =
  | 'Bool' | 'U8' | 'U16' | 'U32' | 'U64' | 'U128' | 'U256' | 'Address' | 'Signer'
  | { Vector: Token }
  | { Datatype: number }
  | { DatatypeInstantiation: [number, Token[]] }
  | { Reference: Token }
  | { MutableReference: Token }
  | { TypeParameter: number };

type Instruction = string | Record<string, unknown>;

interface CompiledModule {
  self_module_handle_idx: number;
  module_handles: Array<{ address: number; name: number }>;
  datatype_handles: Array<{ module: number; name: number; abilities: number; type_parameters: unknown[] }>;
  function_handles: Array<{ module: number; name: number; parameters: number; return_: number; type_parameters: unknown[] }>;
  signatures: Token[][];
  identifiers: string[];
  address_identifiers: string[];
  constant_pool: Array<{ type_: unknown; data: number[] }>;
  struct_defs: Array<{ struct_handle: number; field_information: { Declared?: Array<{ name: number; signature: Token }> } }>;
  function_defs: Array<{
    function: number;
    visibility: 'Public' | 'Friend' | 'Private';
    is_entry: boolean;
    code: { code: Instruction[] } | null;
  }>;
}

const ABILITIES = [
  ['copy', 1],
  ['drop', 2],
  ['store', 4],
  ['key', 8],
] as const;

/** A readable view of one module: names resolved, types as the ABI writes them. */
class ModuleView {
  readonly name: string;
  private readonly self: string;

  constructor(readonly m: CompiledModule) {
    const handle = m.module_handles[m.self_module_handle_idx];
    this.name = m.identifiers[handle.name];
    this.self = m.address_identifiers[handle.address];
  }

  private address(index: number): string {
    const hex = this.m.address_identifiers[index];
    if (hex === this.self) return 'k3sdaas';
    return '0x' + (hex.replace(/^0+/, '') || '0');
  }

  datatypeName(index: number): string {
    const h = this.m.datatype_handles[index];
    const mod = this.m.module_handles[h.module];
    return `${this.address(mod.address)}::${this.m.identifiers[mod.name]}::${this.m.identifiers[h.name]}`;
  }

  /** A signature token in ABI notation; references keep a `&`/`&mut ` prefix. */
  type(token: Token, typeParams: string[] = []): string {
    if (typeof token === 'string') return token.toLowerCase();
    if ('Vector' in token) return `vector<${this.type(token.Vector, typeParams)}>`;
    if ('Datatype' in token) return this.datatypeName(token.Datatype);
    if ('DatatypeInstantiation' in token) {
      const [index, args] = token.DatatypeInstantiation;
      return `${this.datatypeName(index)}<${args.map((a) => this.type(a, typeParams)).join(', ')}>`;
    }
    if ('Reference' in token) return `&${this.type(token.Reference, typeParams)}`;
    if ('MutableReference' in token) return `&mut ${this.type(token.MutableReference, typeParams)}`;
    return typeParams[token.TypeParameter] ?? `T${token.TypeParameter}`;
  }

  structs() {
    return this.m.struct_defs.map((def) => {
      const h = this.m.datatype_handles[def.struct_handle];
      return {
        name: this.m.identifiers[h.name],
        abilities: ABILITIES.filter(([, bit]) => h.abilities & bit).map(([a]) => a),
        typeParamCount: h.type_parameters.length,
        fields: (def.field_information.Declared ?? []).map((f) => ({ name: this.m.identifiers[f.name], signature: f.signature })),
      };
    });
  }

  functions() {
    return this.m.function_defs.map((def) => {
      const h = this.m.function_handles[def.function];
      return {
        name: this.m.identifiers[h.name],
        visibility: def.visibility,
        isEntry: def.is_entry,
        params: this.m.signatures[h.parameters].map((t) => this.type(t)),
        returns: this.m.signatures[h.return_].map((t) => this.type(t)),
        code: def.code?.code ?? [],
      };
    });
  }

  /** Values of the module's u64 constants. */
  u64Constants(): Set<bigint> {
    return new Set(this.m.constant_pool.filter((c) => c.type_ === 'U64').map((c) => u64(c.data)));
  }

  /** Every code the module aborts with: `LdConst(u64)` or `LdU64` immediately before `Abort`. */
  abortCodes(): Map<bigint, string[]> {
    const codes = new Map<bigint, string[]>();
    for (const fn of this.functions()) {
      fn.code.forEach((ins, i) => {
        if (ins !== 'Abort' || i === 0) return;
        const prev = fn.code[i - 1];
        if (typeof prev !== 'object') return;
        let code: bigint | undefined;
        if ('LdConst' in prev) {
          const c = this.m.constant_pool[prev.LdConst as number];
          if (c.type_ === 'U64') code = u64(c.data);
        } else if ('LdU64' in prev) code = BigInt(prev.LdU64 as number | string);
        if (code !== undefined) codes.set(code, [...(codes.get(code) ?? []), fn.name]);
      });
    }
    return codes;
  }
}

function u64(data: number[]): bigint {
  return data.reduceRight((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

/** An ABI type in the same notation as ModuleView.type. */
function abiType(type: MoveType): string {
  if (typeof type === 'string') return type;
  if ('vector' in type) return `vector<${abiType(type.vector)}>`;
  return type.typeArgs?.length ? `${type.struct}<${type.typeArgs.map(abiType).join(', ')}>` : type.struct;
}

function abiParam(param: Param): string {
  const t = abiType(param.type);
  if (param.kind === 'pure' || param.ref === 'value') return t;
  return param.ref === '&' ? `&${t}` : `&mut ${t}`;
}

// === Load the committed build ===

function loadModules(): Map<string, ModuleView> {
  const build = loadCommittedBuild();
  const modules = new Map<string, ModuleView>();
  for (const base64 of build.modules) {
    const view = new ModuleView(deserialize(new Uint8Array(Buffer.from(base64, 'base64'))) as CompiledModule);
    modules.set(view.name, view);
  }
  return modules;
}

// === Comparisons: each returns the mismatches, named ===

type Modules = Map<string, ModuleView>;

function functionProblems(modules: Modules, functions: FunctionAbi[]): string[] {
  const problems: string[] = [];
  for (const fn of functions) {
    const where = `${fn.module}::${fn.name}`;
    const compiled = modules.get(fn.module)?.functions().find((f) => f.name === fn.name);
    if (!compiled) {
      problems.push(`${where}: missing from the bytecode`);
      continue;
    }
    if (compiled.visibility !== 'Public') problems.push(`${where}: visibility is ${compiled.visibility}, ABI expects public`);
    if (compiled.isEntry) problems.push(`${where}: is an entry fun, ABI expects a plain public fun`);
    if (compiled.returns.length) problems.push(`${where}: returns (${compiled.returns.join(', ')}), ABI expects nothing`);
    const expected = fn.params.map(abiParam);
    if (fn.txContext !== 'none') expected.push(`${fn.txContext === '&' ? '&' : '&mut '}0x2::tx_context::TxContext`);
    const length = Math.max(expected.length, compiled.params.length);
    for (let i = 0; i < length; i++) {
      if (expected[i] !== compiled.params[i]) {
        const name = fn.params[i]?.name ?? (i === fn.params.length ? 'ctx' : `#${i}`);
        problems.push(`${where}: parameter ${i} (${name}) is ${compiled.params[i] ?? '<none>'} in Move, ${expected[i] ?? '<none>'} in the ABI`);
      }
    }
  }
  // The reverse: a public function returning nothing is a transaction entry point and must be described.
  for (const [name, view] of modules) {
    for (const f of view.functions()) {
      if (f.visibility !== 'Public' || f.returns.length) continue;
      if (!functions.some((fn) => fn.module === name && fn.name === f.name)) problems.push(`${name}::${f.name}: public in Move, missing from the ABI`);
    }
  }
  return problems;
}

function structProblems(modules: Modules, structs: StructAbi[]): string[] {
  const problems: string[] = [];
  for (const s of structs) {
    const where = `${s.module}::${s.name}`;
    const view = modules.get(s.module);
    const compiled = view?.structs().find((c) => c.name === s.name);
    if (!view || !compiled) {
      const elsewhere = [...modules.values()].find((v) => v.structs().some((c) => c.name === s.name));
      problems.push(`${where}: missing from the bytecode${elsewhere ? ` (it is declared in module ${elsewhere.name})` : ''}`);
      continue;
    }
    const abilities = [...s.abilities].sort().join(', ');
    const compiledAbilities = [...compiled.abilities].sort().join(', ');
    if (abilities !== compiledAbilities) problems.push(`${where}: abilities are {${compiledAbilities}} in Move, {${abilities}} in the ABI`);
    const typeParams = s.typeParams ?? [];
    if (typeParams.length !== compiled.typeParamCount) {
      problems.push(`${where}: ${compiled.typeParamCount} type parameters in Move, ${typeParams.length} in the ABI`);
    }
    const length = Math.max(s.fields.length, compiled.fields.length);
    for (let i = 0; i < length; i++) {
      const mine = s.fields[i];
      const theirs = compiled.fields[i];
      const theirType = theirs && view.type(theirs.signature, typeParams);
      const myType = mine && abiType(mine.type);
      if (mine?.name !== theirs?.name || myType !== theirType) {
        problems.push(
          `${where}: field ${i} is ${theirs ? `${theirs.name}: ${theirType}` : '<none>'} in Move, ${mine ? `${mine.name}: ${myType}` : '<none>'} in the ABI`,
        );
      }
    }
  }
  for (const [name, view] of modules) {
    for (const c of view.structs()) {
      if (!structs.some((s) => s.module === name && s.name === c.name)) problems.push(`${name}::${c.name}: in Move, missing from the ABI`);
    }
  }
  return problems;
}

function errorProblems(modules: Modules, errors: ErrorAbi[]): string[] {
  const problems: string[] = [];
  for (const module of new Set(errors.map((e) => e.module))) {
    if (!modules.has(module)) problems.push(`${module}: the ABI has error codes for a module the bytecode lacks`);
  }
  for (const [name, view] of modules) {
    const mine = errors.filter((e) => e.module === name);
    const constants = view.u64Constants();
    for (const e of mine) {
      if (!constants.has(BigInt(e.code))) problems.push(`${name}::${e.name} = ${e.code}: no such u64 constant in the module`);
    }
    for (const [code, fns] of view.abortCodes()) {
      if (!mine.some((e) => BigInt(e.code) === code)) {
        problems.push(`${name}: aborts with ${code} (in ${[...new Set(fns)].join(', ')}) but the ABI names no such error`);
      }
    }
    const codes = mine.map((e) => e.code);
    if (new Set(codes).size !== codes.length) problems.push(`${name}: duplicate error codes in the ABI`);
  }
  return problems;
}

/**
 * Parameter names are not in bytecode, so two parameters of one type (`method`, `path`) could swap unnoticed there:
 * compare the ABI's names with the `public fun` signatures in move/sources (a leading `_` is ignored).
 */
function parameterNameProblems(functions: FunctionAbi[]): string[] {
  const dir = join(findPackageRoot(), 'move/sources');
  const signatures = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.move'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    const module = /^module k3sdaas::(\w+);/m.exec(text)?.[1] ?? file.replace(/\.move$/, '');
    for (const m of text.matchAll(/^public fun (\w+)(?:<[^>]*>)?\(([^)]*)\)/gm)) {
      const params: string[] = [];
      let depth = 0;
      let current = '';
      for (const ch of m[2]) {
        if (ch === '<') depth++;
        if (ch === '>') depth--;
        if (ch === ',' && depth === 0) {
          params.push(current);
          current = '';
        } else current += ch;
      }
      params.push(current);
      signatures.set(
        `${module}::${m[1]}`,
        params.map((p) => p.split(':')[0].trim().replace(/^_/, '')).filter(Boolean),
      );
    }
  }
  const problems: string[] = [];
  for (const fn of functions) {
    const where = `${fn.module}::${fn.name}`;
    const source = signatures.get(where);
    if (!source) {
      problems.push(`${where}: no 'public fun' in move/sources`);
      continue;
    }
    const mine = fn.params.map((p) => p.name);
    const theirs = fn.txContext === 'none' ? source : source.slice(0, -1);
    if (mine.join(', ') !== theirs.join(', ')) problems.push(`${where}: parameters (${theirs.join(', ')}) in Move, (${mine.join(', ')}) in the ABI`);
  }
  return problems;
}

// === Tests ===

const modules = loadModules();
const abiModules = [...new Set([...FUNCTIONS, ...K3SDAAS_ABI.structs, ...ERRORS].map((x) => x.module).concat(INTERNAL_MODULES))].sort();

describe('ABI parity with move/build/k3sdaas.json', () => {
  it('has the same modules', () => {
    expect([...modules.keys()].sort()).toEqual(abiModules);
  });

  it('every ABI function is a public fun with the same parameters (refs, TxContext), no return value; no entry point is missing', () => {
    expect(functionProblems(modules, FUNCTIONS)).toEqual([]);
  });

  it('every ABI function has the parameter names of its Move source, in order', () => {
    expect(parameterNameProblems(FUNCTIONS)).toEqual([]);
  });

  it('every struct has the same abilities, type parameters, field names, order and types; no struct is missing', () => {
    expect(structProblems(modules, K3SDAAS_ABI.structs)).toEqual([]);
  });

  it('every ABI error code is a u64 constant of its module, and every abort code of a module is an ABI error', () => {
    expect(errorProblems(modules, ERRORS)).toEqual([]);
  });
});

describe('the parity checks notice drift', () => {
  const clone = <T>(value: T): T => structuredClone(value);

  it('in functions: swapped parameters, a changed reference, a missing TxContext, an unknown function', () => {
    const fns = clone(FUNCTIONS);
    const submit = fns.find((f) => f.module === 'request' && f.name === 'submit')!;
    // Parameter names are not in bytecode: only swaps of differently typed parameters are visible.
    [submit.params[4], submit.params[5]] = [submit.params[5], submit.params[4]];
    const update = fns.find((f) => f.module === 'cluster' && f.name === 'update')!;
    (update.params[1] as { ref: string }).ref = '&';
    update.txContext = 'none';
    fns.push({ module: 'workers', name: 'rejoin', params: [], txContext: 'none' });
    const expire = fns.findIndex((f) => f.module === 'request' && f.name === 'expire');
    fns.splice(expire, 1);
    const problems = functionProblems(modules, fns).join('\n');
    expect(problems).toContain('request::submit: parameter 4 (body_size) is vector<u8> in Move, u64 in the ABI');
    expect(problems).toContain('request::submit: parameter 5 (body_digest) is u64 in Move, vector<u8> in the ABI');
    expect(problems).toContain('cluster::update: parameter 1 (cluster) is &mut k3sdaas::cluster::Cluster in Move, &k3sdaas::cluster::Cluster in the ABI');
    expect(problems).toContain('cluster::update: parameter 6 (ctx) is &mut 0x2::tx_context::TxContext in Move, <none> in the ABI');
    expect(problems).toContain('workers::rejoin: missing from the bytecode');
    expect(problems).toContain('request::expire: public in Move, missing from the ABI');
  });

  it('in parameter names: a swap of two parameters of the same type', () => {
    const fns = clone(FUNCTIONS);
    const submit = fns.find((f) => f.module === 'request' && f.name === 'submit')!;
    [submit.params[2], submit.params[3]] = [submit.params[3], submit.params[2]];
    expect(functionProblems(modules, fns)).toEqual([]);
    expect(parameterNameProblems(fns)).toEqual([
      'request::submit: parameters (cluster, token, method, path, body_digest, body_size, body, body_blob, reply_key, clock) in Move, (cluster, token, path, method, body_digest, body_size, body, body_blob, reply_key, clock) in the ABI',
    ]);
  });

  it('in structs: a renamed field, a changed type, a dropped ability', () => {
    const structs = clone(K3SDAAS_ABI.structs);
    const submitted = structs.find((s) => s.name === 'RequestSubmitted')!;
    submitted.fields[5].name = 'role_id';
    submitted.fields[11].type = 'u32';
    const token = structs.find((s) => s.name === 'SealToken')!;
    token.abilities = ['key', 'store'];
    const problems = structProblems(modules, structs).join('\n');
    expect(problems).toContain('request::RequestSubmitted: field 5 is role: u8 in Move, role_id: u8 in the ABI');
    expect(problems).toContain('request::RequestSubmitted: field 11 is body_size: u64 in Move, body_size: u32 in the ABI');
    expect(problems).toContain('access::SealToken: abilities are {key} in Move, {key, store} in the ABI');
  });

  it('in errors: a renumbered code and an unnamed abort code', () => {
    const errors = clone(ERRORS).filter((e) => !(e.module === 'workers' && e.name === 'EHeartbeatNotExpired'));
    errors.find((e) => e.module === 'credential' && e.name === 'EExpired')!.code = 42;
    const problems = errorProblems(modules, errors).join('\n');
    expect(problems).toContain('credential::EExpired = 42: no such u64 constant in the module');
    expect(problems).toMatch(/credential: aborts with 3 \(in verify\)/);
    expect(problems).toMatch(/workers: aborts with 6 \(in mark_inactive\)/);
  });
});
