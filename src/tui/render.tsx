/**
 * The one way UI tests render: ink-testing-library behind a small harness (so the renderer can be swapped here
 * alone). Frames come back without ANSI styling; keys are typed one at a time, each followed by a render pass.
 */
import { stripVTControlCharacters } from 'node:util';
import type { ReactElement } from 'react';
import { render } from 'ink-testing-library';

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
} as const;

export interface Rendered {
  /** The last frame, unstyled, trailing spaces trimmed per line. */
  frame(): string;
  /** Types keys (named from KEYS or literal text), one write each, and waits for the render. */
  press(...keys: string[]): Promise<void>;
  /** Waits for pending renders (after pushing events). */
  settle(): Promise<void>;
  /** True once the app has exited (e.g. after `q`); false if it is still running after a second. */
  exited(): Promise<boolean>;
  unmount(): void;
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

export async function renderTui(tree: ReactElement): Promise<Rendered> {
  const instance = render(tree);
  await tick();
  return {
    frame: () =>
      stripVTControlCharacters(instance.lastFrame() ?? '')
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n'),
    async press(...keys) {
      for (const k of keys) {
        instance.stdin.write(k);
        await tick();
      }
    },
    settle: tick,
    async exited() {
      // ink-testing-library keeps no exit promise; an unmounted Ink app stops listening to stdin.
      for (let i = 0; i < 50; i++) {
        if (instance.stdin.listenerCount('readable') + instance.stdin.listenerCount('data') === 0) return true;
        await tick();
      }
      return false;
    },
    unmount: () => instance.unmount(),
  };
}
