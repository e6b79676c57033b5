import { describe, expect, it } from 'vitest';
import { validate } from './defaults.js';
import { resourceForKind } from './registry.js';
import { KubeApiError } from './status.js';
import { checkFields, parseFieldValidation, validateSchema, warningHeaders } from './validation.js';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', labels: { a: 'b' }, annotations: { x: 'y' } },
  spec: {
    replicaz: 2,
    selector: { matchLabels: { app: 'd' } },
    template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx', imagez: 'x', resources: { limits: { cpu: '1' } } }] } },
  },
  status: {},
});

describe('field validation', () => {
  const DEPLOY = resourceForKind('Deployment');

  it('Strict refuses unknown fields with the strict decoding error, naming each with its path', () => {
    expect(() => checkFields(DEPLOY, deployment(), 'Strict')).toThrow(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz", unknown field "spec.template.spec.containers[0].imagez"',
    );
    try {
      checkFields(DEPLOY, deployment(), 'Strict');
    } catch (e) {
      expect((e as KubeApiError).httpCode).toBe(400);
      expect((e as KubeApiError).reason).toBe('BadRequest');
    }
  });

  it('Warn returns warnings and drops the fields; Ignore drops them silently; known fields and maps stay', () => {
    const warned = deployment();
    expect(checkFields(DEPLOY, warned, 'Warn')).toEqual(['unknown field "spec.replicaz"', 'unknown field "spec.template.spec.containers[0].imagez"']);
    expect(warned.spec).not.toHaveProperty('replicaz');
    expect(warned.spec.template.spec.containers[0]).toEqual({ name: 'c', image: 'nginx', resources: { limits: { cpu: '1' } } });
    expect(warned.metadata).toEqual({ name: 'd', labels: { a: 'b' }, annotations: { x: 'y' } });
    const ignored = deployment();
    expect(checkFields(DEPLOY, ignored, 'Ignore')).toEqual([]);
    expect(ignored.spec).not.toHaveProperty('replicaz');
  });

  it('a valid object passes Strict untouched; strategic-merge directives are not fields', () => {
    const d = deployment() as any;
    delete d.spec.replicaz;
    delete d.spec.template.spec.containers[0].imagez;
    d.spec.template.spec.$setElementOrder = [{ name: 'c' }];
    expect(checkFields(DEPLOY, d, 'Strict')).toEqual([]);
  });

  it('field names that are Object.prototype members are unknown fields too', () => {
    const d = deployment() as any;
    delete d.spec.replicaz;
    delete d.spec.template.spec.containers[0].imagez;
    d.spec.constructor = 1;
    expect(checkFields(DEPLOY, d, 'Warn')).toEqual(['unknown field "spec.constructor"']);
  });

  it('parses the parameter (Warn by default) and refuses unknown values', () => {
    expect(parseFieldValidation(null)).toBe('Warn');
    expect(parseFieldValidation('Strict')).toBe('Strict');
    expect(() => parseFieldValidation('strict')).toThrow('fieldValidation: Unsupported value: "strict"');
  });

  it('warnings become one Warning header with escaped quotes', () => {
    expect(warningHeaders(['unknown field "a"', 'unknown field "b"'])).toEqual({ Warning: '299 - "unknown field \\"a\\"", 299 - "unknown field \\"b\\""' });
    expect(warningHeaders([])).toBeUndefined();
  });
});

describe('structural schema validation', () => {
  const schema = {
    type: 'object',
    required: ['size'],
    properties: {
      size: { type: 'integer', minimum: 1, maximum: 10 },
      name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
      tags: { type: 'array', maxItems: 2, items: { type: 'string' } },
      port: { 'x-kubernetes-int-or-string': true },
    },
  };

  it('types, bounds, patterns, lengths, items and required', () => {
    expect(validateSchema({ size: 3, name: 'ab', tags: ['x'], port: 'http' }, schema, {})).toEqual([]);
    const causes = validateSchema({ size: '3', name: 'ABCDEFG', tags: ['a', 'b', 1], port: true }, schema, {}, 'spec');
    expect(causes.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
      'spec.name: Too long: may not be more than 5 bytes',
      "spec.name: Invalid value: \"ABCDEFG\": spec.name in body should match '^[a-z]+$'",
      'spec.tags: Too many: 3: must have at most 2 items',
      'spec.tags[2]: Invalid value: "integer": spec.tags[2] in body must be of type string: "integer"',
      'spec.port: Invalid value: true: spec.port in body must be of type integer,string: "boolean"',
    ]);
    expect(validateSchema({}, schema, {}, 'spec')).toEqual([{ field: 'spec.size', message: 'Required value', reason: 'FieldValueRequired' }]);
    expect(validateSchema({ size: 0 }, schema, {}, 'spec')[0].message).toBe('Invalid value: 0: spec.size in body should be greater than or equal to 1');
  });
});

describe('limits', () => {
  it('ConfigMap and Secret data over 1 MiB are invalid; over 256 KiB of annotations too', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } };
    expect(validate(cm)).toEqual([{ field: '[]', message: 'Too long: may not be more than 1048576 bytes', reason: 'FieldValueTooLong' }]);
    expect(validate({ ...cm, data: { a: 'x'.repeat(1000) } })).toEqual([]);
    // Values only are counted (keys are not), and Secret data by its decoded bytes: exactly 1 MiB passes.
    expect(validate({ ...cm, data: { longkey: 'x'.repeat(1024 * 1024) } })).toEqual([]);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: Buffer.alloc(1024 * 1024).toString('base64') } };
    expect(validate(secret)).toEqual([]);
    expect(validate({ ...secret, data: { a: Buffer.alloc(1024 * 1024 + 1).toString('base64') } })).toHaveLength(1);
    const annotated = { ...cm, data: {}, metadata: { name: 'a', annotations: { k: 'x'.repeat(256 * 1024) } } };
    expect(validate(annotated)[0]).toMatchObject({ field: 'metadata.annotations', message: 'Too long: may not be more than 262144 bytes' });
  });

  it('an object over 1.5 MiB is refused as etcd refuses it', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', args: ['y'.repeat(1.6 * 1024 * 1024)] }] } };
    expect(() => validate(pod)).toThrow('etcdserver: request is too large');
    try {
      validate(pod);
    } catch (e) {
      expect((e as KubeApiError).toStatus()).toMatchObject({ code: 500, reason: '', message: 'etcdserver: request is too large' });
    }
  });
});

describe('schema defaulting', () => {
  it('fills missing fields with their defaults, recursively, never overwriting', async () => {
    const { applySchemaDefaults } = await import('./validation.js');
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            replicas: { type: 'integer', default: 1 },
            mode: { type: 'string', default: 'fast' },
            ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' } } } },
          },
        },
      },
    };
    const obj: any = { spec: { mode: 'slow', ports: [{}, { protocol: 'UDP' }] } };
    applySchemaDefaults(obj, schema, {});
    expect(obj).toEqual({ spec: { replicas: 1, mode: 'slow', ports: [{ protocol: 'TCP' }, { protocol: 'UDP' }] } });
  });
});

describe('per-kind rules', () => {
  it('a Job template must not restart Always (the pod default), as kube-apiserver refuses it', async () => {
    const { applyDefaults } = await import('./defaults.js');
    const job: any = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
    applyDefaults(job);
    expect(validate(job)).toEqual([{ field: 'spec.template.spec.restartPolicy', message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"', reason: 'FieldValueNotSupported' }]);
    job.spec.template.spec.restartPolicy = 'Never';
    expect(validate(job)).toEqual([]);
    expect(job.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
  });
});
