/** A lifecycle feed driven by hand: tests and the committed screen snapshot push events into it. */
import type { FeedStatus, LifecycleEvent } from './lifecycle.js';
import type { FeedListener, LifecycleFeed } from './source.js';

export class ScriptedFeed implements LifecycleFeed {
  readonly #listeners = new Set<FeedListener>();
  readonly #history: LifecycleEvent[] = [];
  #status: Partial<FeedStatus> = {};

  /** A late subscriber first gets everything pushed so far. */
  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    if (this.#history.length) listener.events(this.#history.slice());
    if (Object.keys(this.#status).length) listener.status?.(this.#status);
    return () => void this.#listeners.delete(listener);
  }

  push(...events: LifecycleEvent[]): void {
    this.#history.push(...events);
    for (const l of this.#listeners) l.events(events);
  }

  status(status: Partial<FeedStatus>): void {
    this.#status = { ...this.#status, ...status };
    for (const l of this.#listeners) l.status?.(status);
  }
}
