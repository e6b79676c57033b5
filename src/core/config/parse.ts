/**
 * Parses the YAML config file. The file is almost always what `writeConfigValues` writes: mappings of plain or
 * quoted strings. Those are read here directly, because loading the `yaml` package costs ~13 MiB and ~20 ms in
 * every process (the exec credential plugin runs on every kubectl command). Anything outside that strict subset
 * (flow style, anchors, multi-line or typed scalars, escapes, tabs, odd indentation) goes to `yaml` itself, loaded
 * on demand, so the result is always yaml's. src/core/config/parse.test.ts compares the two.
 */
import { createRequire } from 'node:module';

type Tree = { [key: string]: Tree | string | null };

const KEY = /^( *)([A-Za-z_][A-Za-z0-9_.-]*):(?: +(.*))?$/;
/** A plain scalar that YAML's core schema reads as a string and that cannot start or contain anything special. */
const SAFE_PLAIN = /^[A-Za-z0-9/_~][^\s#'"]*$|^[A-Za-z0-9/_~][^#'"]*[^\s#'"]$/;
/** Core-schema numbers (YAML 1.2, as `yaml` reads it). */
const NUMBER = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const NOT_STRING = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

/** The subset parse, or undefined when the text needs a real YAML parser. */
export function parseSimpleYaml(text: string): Tree | undefined {
  const root: Tree = {};
  const stack: { indent: number; node: Tree }[] = [{ indent: -1, node: root }];
  let pendingParent: { indent: number; node: Tree } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (/^\s*(#.*)?$/.test(line)) {
      if (line.includes('\t')) return undefined;
      continue;
    }
    if (line.includes('\t') || line.startsWith('---') || line.startsWith('...') || line.startsWith('%')) return undefined;
    const m = KEY.exec(line);
    if (!m) return undefined;
    const indent = m[1].length;
    const [, , key, rest] = m;
    if (pendingParent) {
      // The first key after `parent:` decides the child indentation.
      if (indent <= pendingParent.indent) return undefined; // `parent:` with no children is null: let yaml say so.
      stack.push({ indent, node: pendingParent.node });
      pendingParent = undefined;
    }
    while (stack.length > 1 && indent < stack[stack.length - 1].indent) stack.pop();
    const top = stack[stack.length - 1];
    if (indent !== top.indent && !(stack.length === 1 && indent === 0)) return undefined;
    if (stack.length === 1 && indent !== 0) return undefined;
    if (Object.prototype.hasOwnProperty.call(top.node, key)) return undefined; // duplicate keys: yaml's error
    if (rest === undefined || rest === '') {
      const child: Tree = {};
      top.node[key] = child;
      pendingParent = { indent, node: child };
      continue;
    }
    const value = scalar(rest);
    if (value === undefined) return undefined;
    top.node[key] = value;
  }
  if (pendingParent) return undefined;
  return root;
}

function scalar(text: string): string | undefined {
  let t = text;
  const comment = t.search(/ +#/);
  if (t[0] === "'" || t[0] === '"') {
    const q = t[0];
    const end = t.indexOf(q, 1);
    if (end < 0) return undefined;
    const body = t.slice(1, end);
    const after = t.slice(end + 1);
    if (after !== '' && !/^ +(#.*)?$/.test(after)) return undefined;
    if (q === '"' && body.includes('\\')) return undefined;
    return body;
  }
  if (comment >= 0) t = t.slice(0, comment);
  t = t.replace(/ +$/, '');
  if (!SAFE_PLAIN.test(t) || NOT_STRING.test(t) || NUMBER.test(t) || t.includes(': ') || t.endsWith(':')) return undefined;
  return t;
}

let yaml: { parse(text: string): unknown } | undefined;

/** YAML text → value, as the `yaml` package parses it (throws its errors). */
export function parseConfigYaml(text: string): unknown {
  const simple = parseSimpleYaml(text);
  if (simple) return Object.keys(simple).length === 0 ? null : simple;
  yaml ??= createRequire(import.meta.url)('yaml') as { parse(text: string): unknown };
  return yaml.parse(text);
}
