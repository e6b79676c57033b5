import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfigYaml, parseSimpleYaml } from './parse.js';

// Every case: the result must equal what the `yaml` package makes of it, whichever path read it.
const SIMPLE = [
  '',
  '# only a comment\n',
  'network: localnet\n',
  'network: http://127.0.0.1:9000\npackageId: "0x12ab"\nclusterId: \'0x34\'\n',
  'keyFile: /tmp/a b/dev.key   # spaces inside, a comment after\n',
  'gateway:\n  listen: 127.0.0.1:6443\n  url: https://gw.example:6443\nlogLevel: debug\n',
  'nautilus:\n    kubeconfig: ~/k.yaml\r\ndataDir: /var/lib/k3sdaas\r\n',
  'a:\n  b:\n    c: x\n  d: y\ne: z\n',
  'network: "http://x:1 # not a comment"\n',
  'listen: 0.0.0.0:6443\nb: 12abc\nc: 1.2.3\n',
  'address: "0x00000000000000000000000000000000000000000000000000000000000000ab"\n',
];
const YAML_ONLY = [
  'packageId: 0x12ab\n', // a hex integer in YAML 1.2
  'clusterId: 0012\n',
  'a: 1e5\n',
  'a: 0o17\n',
  'a: 1.\n',
  'logLevel: null\n',
  'x: true\n',
  'x: ~\n',
  'gateway: { listen: "1.2.3.4:5" }\n',
  'a: &x y\nb: *x\n',
  'a: "esc\\"aped"\n',
  "a: 'it''s'\n",
  'a: |\n  multi\n  line\n',
  'a:\n',
  'a:\n\tb: c\n',
  '---\na: b\n',
  'a: b\na: c\n',
  '  a: b\n',
  'a:\n  b: c\n d: e\n',
  'a: b: c\n',
  'a: - b\n',
  'a: [b]\n',
  'a: -1\n',
  'a: .5\n',
  'a: b #c\n',
  'key:value\n',
  '"quoted": key\n',
];

describe('parseConfigYaml', () => {
  for (const text of SIMPLE) {
    it(`reads ${JSON.stringify(text)} itself, as yaml would`, () => {
      expect(parseSimpleYaml(text)).toBeDefined();
      expect(parseConfigYaml(text)).toEqual(parse(text));
    });
  }
  for (const text of YAML_ONLY) {
    it(`leaves ${JSON.stringify(text)} to yaml`, () => {
      const simple = parseSimpleYaml(text);
      let expected: unknown;
      try {
        expected = parse(text);
      } catch (err) {
        expect(() => parseConfigYaml(text)).toThrow();
        return;
      }
      // Either the subset declines, or (for the few it can read) it agrees with yaml.
      if (simple !== undefined) expect(simple).toEqual(expected);
      expect(parseConfigYaml(text)).toEqual(expected);
    });
  }
});
