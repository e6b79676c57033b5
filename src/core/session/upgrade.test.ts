import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, exitStatusOf, isUpgradeRequest, offeredProtocols, upgradeSubresource } from './upgrade.js';

const errorChannel = (status: unknown) => new Uint8Array([3, ...Buffer.from(JSON.stringify(status))]);

describe('upgrade sessions', () => {
  it('only a POST WebSocket upgrade of pods exec/attach/portforward is an upgrade session', () => {
    const h: Array<[string, string]> = [['upgrade', 'websocket'], ['sec-websocket-protocol', 'v5.channel.k8s.io, v4.channel.k8s.io']];
    expect(isUpgradeRequest({ method: 'POST', url: '/api/v1/namespaces/a/pods/p/exec?command=ls', headers: h })).toBe(true);
    expect(isUpgradeRequest({ method: 'GET', url: '/api/v1/namespaces/a/pods/p/exec', headers: h })).toBe(false);
    expect(isUpgradeRequest({ method: 'POST', url: '/api/v1/namespaces/a/pods/p/exec', headers: [] })).toBe(false);
    expect(isUpgradeRequest({ method: 'POST', url: '/api/v1/namespaces/a/pods/p/proxy', headers: h })).toBe(false);
    expect(isUpgradeRequest({ method: 'POST', url: '/api/v1/namespaces/a/services/p/exec', headers: h })).toBe(false);
    expect(upgradeSubresource('/api/v1/namespaces/a/pods/p/portforward')).toBe('portforward');
    expect(offeredProtocols({ headers: h })).toEqual(['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  });

  it('messages keep their bytes and their kind (binary or text)', () => {
    const m = decodeMessage(encodeMessage(Buffer.from([0, 255, 1]), true));
    expect([[...m.data], m.isBinary]).toEqual([[0, 255, 1], true]);
    expect(decodeMessage(encodeMessage(Buffer.from('x'), false)).isBinary).toBe(false);
  });

  it('reads the exit status from the v4/v5 error channel only', () => {
    expect(exitStatusOf('v5.channel.k8s.io', errorChannel({ status: 'Success' }))).toBe(0);
    const failed = { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } };
    expect(exitStatusOf('v4.channel.k8s.io', errorChannel(failed))).toBe(7);
    expect(exitStatusOf('v5.channel.k8s.io', errorChannel({ status: 'Failure', reason: 'InternalError' }))).toBeUndefined();
    // stdout (channel 1), another protocol, or garbage: nothing
    expect(exitStatusOf('v5.channel.k8s.io', new Uint8Array([1, ...Buffer.from('{"status":"Success"}')]))).toBeUndefined();
    expect(exitStatusOf('SPDY/3.1+portforward.k8s.io', errorChannel({ status: 'Success' }))).toBeUndefined();
    expect(exitStatusOf('v5.channel.k8s.io', new Uint8Array([3, 123]))).toBeUndefined();
  });
});
