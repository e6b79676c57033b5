import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, endedStatusMessage, exitStatusOf, isUpgradeRequest, offeredProtocols, sendPaced, upgradeSubresource } from './upgrade.js';

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

  it('an ended-by-k3sdaas Status goes on the v4/v5 error channel as a Failure that is no exit status', () => {
    const m = endedStatusMessage('v5.channel.k8s.io', 'k3sdaas: session cut')!;
    expect(m[0]).toBe(3);
    expect(JSON.parse(Buffer.from(m.subarray(1)).toString())).toMatchObject({ status: 'Failure', message: 'k3sdaas: session cut' });
    expect(exitStatusOf('v5.channel.k8s.io', m)).toBeUndefined();
    expect(endedStatusMessage('SPDY/3.1+portforward.k8s.io', 'x')).toBeUndefined();
    expect(endedStatusMessage(undefined, 'x')).toBeUndefined();
  });

  it('pauses the sending side while the receiving side has more than 4 MiB waiting, and resumes it once drained', () => {
    const flushes: Array<() => void> = [];
    const to = {
      bufferedAmount: 0,
      isPaused: false,
      send(data: Uint8Array, _o: { binary: boolean }, cb: () => void) {
        this.bufferedAmount += data.length;
        flushes.push(() => ((this.bufferedAmount -= data.length), cb()));
      },
      pause() {},
      resume() {},
    };
    const from = { ...to, bufferedAmount: 0, isPaused: false, pause() { this.isPaused = true; }, resume() { this.isPaused = false; } };
    const chunk = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 4; i++) sendPaced(to, from, chunk);
    expect(from.isPaused).toBe(false);
    sendPaced(to, from, chunk);
    expect(from.isPaused).toBe(true);
    // 5 MiB waiting: resumed once below 2 MiB (after the fourth flush)
    for (let i = 0; i < 3; i++) flushes.shift()!();
    expect(from.isPaused).toBe(true);
    flushes.shift()!();
    expect(from.isPaused).toBe(false);
  });
});
