import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from './components/App.js';
import { CLUSTER, NOW, SCRIPT, T0 } from './fixtures.js';
import { KEYS, renderTui, type Rendered } from './render.js';
import { ScriptedFeed } from './scripted.js';

const SNAPSHOT = fileURLToPath(new URL('../../docs/tui-snapshot.txt', import.meta.url));

let ui: Rendered | undefined;
afterEach(() => ui?.unmount());

async function start(feed = new ScriptedFeed()) {
  ui = await renderTui(<App feed={feed} clusterId={CLUSTER} clock={() => NOW} tickMs={0} />);
  return { ui, feed };
}

/** The table line of the row whose request id / digest starts like `prefix`. */
const flat = (frame: string) => frame.replace(/\s+/g, ' ');
const line = (frame: string, text: string) => frame.split('\n').find((l) => l.includes(text)) ?? '';

describe('watch TUI', () => {
  it('shows each state as the lifecycle unfolds', async () => {
    const { ui, feed } = await start();
    expect(ui.frame()).toContain('no requests yet');
    expect(ui.frame()).toContain('catching up');
    const [sub] = SCRIPT.filter((e) => e.kind === 'submitted');
    const id = (sub as { requestId: string }).requestId;
    feed.push(sub);
    await ui.settle();
    expect(line(ui.frame(), 'list')).toMatch(/authorized\s+list\s+pods\s+default .* awaiting nautilus/);
    feed.push({ kind: 'picked-up', requestId: id, timestampMs: T0 + 1_100 });
    await ui.settle();
    expect(line(ui.frame(), 'list')).toMatch(/picked up\s+list/);
    feed.push({ kind: 'stored', requestId: id, txDigest: 'StoreTx111111111111', timestampMs: T0 + 1_840, status: 200, latencyMs: 840, bodySize: 10 });
    await ui.settle();
    expect(line(ui.frame(), 'list')).toMatch(/stored\s+list\s+pods\s+default .* 200\s+840ms\s+Stor…1111/);
    feed.push({ kind: 'delivered', requestId: id, timestampMs: T0 + 1_900 });
    await ui.settle();
    expect(line(ui.frame(), 'list')).toMatch(/delivered\s+list/);
    feed.push({ kind: 'expired', requestId: '0x' + 'ee'.repeat(32), txDigest: 'ExpireTx', deadlineMs: T0 });
    feed.status({ caughtUp: true, checkpoint: '42' });
    await ui.settle();
    expect(ui.frame()).toMatch(/expired .* no answer by deadline/);
    expect(ui.frame()).toContain('checkpoint 42 · live');
  });

  it('totals show the fees paid and refunded and the stake slashed, once there are any', async () => {
    const { ui, feed } = await start();
    expect(flat(ui.frame())).not.toContain('fees');
    const [sub] = SCRIPT.filter((e) => e.kind === 'submitted');
    const id = (sub as { requestId: string }).requestId;
    feed.push(sub);
    feed.push({ kind: 'stored', requestId: id, txDigest: 'StoreTx', timestampMs: T0 + 1_000, status: 200, latencyMs: 800, bodySize: 1, fee: 2_000_000n });
    feed.push({ kind: 'slashed', tokenId: '0xt', amount: 500_000_000n, reason: 2, remaining: 1_500_000_000n });
    await ui.settle();
    expect(flat(ui.frame())).toMatch(/fees 0\.002 SUI paid, 0 SUI refunded · slashed 0\.5 SUI/);
  });

  it('a rejection shows the contract reason, in the table and in the details', async () => {
    const { ui, feed } = await start();
    feed.push(...SCRIPT);
    await ui.settle();
    expect(line(ui.frame(), ' rejected ')).toMatch(/rejected\s+create\s+configmaps\s+default\s+0xb2b2…b2b2 ERoleCannotWrite/);
    // Select it: it is the third row; the newest (last) is selected initially.
    await ui.press(KEYS.up, KEYS.up, KEYS.up, KEYS.up);
    expect(line(ui.frame(), '›')).toContain('rejected');
    await ui.press(KEYS.enter);
    const details = ui.frame();
    expect(details).toContain('[rejected]');
    expect(details).toContain('access::ERoleCannotWrite');
    expect(flat(details)).toContain("reason: your SealToken's role does not allow writes (viewer)");
    await ui.press(KEYS.escape);
    expect(ui.frame()).toContain('STATE');
  });

  it('Enter shows a request step by step, saying what the chain proves', async () => {
    const { ui, feed } = await start();
    feed.push(...SCRIPT);
    await ui.settle();
    await ui.press(KEYS.up, KEYS.up, KEYS.up, KEYS.up, KEYS.up, KEYS.enter);
    const f = ui.frame();
    expect(f).toContain('request 0x' + '01'.repeat(32) + ' [delivered]');
    expect(f).toMatch(/✓ submitted\s+12:00:01.000Z tx Tx1/);
    expect(f).toMatch(/✓ executed\s+12:00:01.840Z Kubernetes status 200/);
    expect(f).toContain('840ms submit→answer');
    expect(flat(f)).toContain("nautilus' execution time is not on chain");
    expect(f).toMatch(/✓ delivered/);
    await ui.press(KEYS.enter);
    expect(ui.frame()).toContain('STATE');
  });

  it('filters with /, live while typing, and Esc clears', async () => {
    const { ui, feed } = await start();
    feed.push(...SCRIPT);
    await ui.settle();
    await ui.press('/', 'w', 'e', 'b');
    expect(ui.frame()).toContain('/web');
    expect(ui.frame()).toContain('4 of 7 match');
    await ui.press(' ', '2', '0', '1', KEYS.enter);
    const f = ui.frame();
    expect(f).toContain('filter web 201 (1 of 7, Esc clears)');
    expect(f).toContain('deployments');
    expect(f).not.toContain('configmaps');
    await ui.press(KEYS.backspace); // not in filter mode: ignored
    await ui.press(KEYS.escape);
    expect(ui.frame()).toContain('configmaps');
    expect(ui.frame()).not.toContain('Esc clears');
  });

  it('shows workers with status, stake and last heartbeat', async () => {
    const { ui, feed } = await start();
    feed.push(...SCRIPT);
    await ui.settle();
    expect(line(ui.frame(), 'worker-1')).toMatch(/worker-1\s+active\s+10 SUI\s+5s ago/);
    expect(line(ui.frame(), 'worker-2')).toMatch(/worker-2\s+inactive\s+5.5 SUI\s+1m ago/);
  });

  it('q quits', async () => {
    const { ui } = await start();
    await ui.press('q');
    expect(await ui.exited()).toBe(true);
  });

  it('q while typing a filter is text, not quit', async () => {
    const { ui } = await start();
    await ui.press('/', 'q');
    expect(ui.frame()).toContain('/q');
    await ui.press(KEYS.escape, 'q');
    expect(await ui.exited()).toBe(true);
  });

  it('fits an 80-column terminal: no line wraps, the table keeps its most useful columns', async () => {
    const feed = new ScriptedFeed();
    feed.push(...SCRIPT);
    feed.status({ caughtUp: true, checkpoint: '1234' });
    ui = await renderTui(<App feed={feed} clusterId={CLUSTER} clock={() => NOW} tickMs={0} columns={80} />);
    const lines = ui.frame().split('\n');
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    expect(lines.find((l) => l.includes('STATE'))).toMatch(/STATE\s+VERB\s+RESOURCE\s+NAMESPACE\s+REQUESTER\s+RESULT\s+LATENCY$/);
    expect(lines.find((l) => l.includes('ERoleCannotWrite'))).toMatch(/rejected\s+create\s+configmaps\s+default\s+0xb2b2…b2b2 ERoleCannotWrite/);
    expect(lines.some((l) => l.startsWith('requests 7 · 6/min · p50 latency 840ms · pending 2'))).toBe(true);
    expect(lines.some((l) => l.startsWith('failures 3 (1 rejected, 1 expired, 1 HTTP ≥400)'))).toBe(true);
  });

  it('matches the committed screen snapshot (UPDATE_SNAPSHOT=1 rewrites docs/tui-snapshot.txt)', async () => {
    const feed = new ScriptedFeed();
    feed.push(...SCRIPT);
    feed.status({ caughtUp: true, checkpoint: '1234' });
    const { ui } = await start(feed);
    const screen = ui.frame() + '\n';
    if (process.env.UPDATE_SNAPSHOT || !existsSync(SNAPSHOT)) writeFileSync(SNAPSHOT, screen);
    expect(screen).toBe(readFileSync(SNAPSHOT, 'utf8'));
  });
});
