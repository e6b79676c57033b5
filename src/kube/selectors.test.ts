import { describe, expect, it } from 'vitest';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { KubeObject } from './types.js';

const labels = { app: 'web', tier: 'frontend', env: 'prod' };
const match = (sel: string) => matchesLabels(parseLabelSelector(sel), labels);

describe('label selectors', () => {
  it('equality and inequality', () => {
    expect(match('app=web')).toBe(true);
    expect(match('app==web')).toBe(true);
    expect(match('app!=web')).toBe(false);
    expect(match('app!=api')).toBe(true);
    expect(match('missing!=x')).toBe(true);
    expect(match('app=web,tier=backend')).toBe(false);
  });

  it('set-based in / notin with commas inside parentheses', () => {
    expect(match('env in (prod, staging)')).toBe(true);
    expect(match('env in (dev,staging),app=web')).toBe(false);
    expect(match('env notin (dev,staging)')).toBe(true);
    expect(match('missing notin (a)')).toBe(true);
    expect(match('missing in (a)')).toBe(false);
  });

  it('exists and does-not-exist', () => {
    expect(match('tier')).toBe(true);
    expect(match('!tier')).toBe(false);
    expect(match('!owner,app')).toBe(true);
  });

  it('empty selector matches everything; bad keys are rejected', () => {
    expect(match('')).toBe(true);
    expect(() => parseLabelSelector('a b c')).toThrow(/unable to parse/);
  });
});

describe('field selectors', () => {
  const event = {
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' },
    reason: 'Started',
    source: { component: 'kubelet' },
  } as unknown as KubeObject;

  it('matches metadata and involvedObject fields for events', () => {
    const reqs = parseFieldSelector('involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=u1', 'Event');
    expect(matchesFields(reqs, event)).toBe(true);
    expect(matchesFields(parseFieldSelector('involvedObject.name=other', 'Event'), event)).toBe(false);
    expect(matchesFields(parseFieldSelector('metadata.name!=e1', 'Event'), event)).toBe(false);
    expect(matchesFields(parseFieldSelector('source=kubelet', 'Event'), event)).toBe(true);
  });

  it('rejects unsupported field labels', () => {
    expect(() => parseFieldSelector('spec.foo=bar', 'ConfigMap')).toThrow(/field label not supported/);
    expect(() => parseFieldSelector('involvedObject.name=x', 'Pod')).toThrow(/not supported/);
  });
});
