/**
 * "Does this object still exist?" for many objects at once. Nautilus asks it of every Request before executing it
 * (an answered or expired Request is deleted), and requests arrive in bursts: the questions asked in one tick go out
 * as one BatchGetObjects (per 50 ids, the SDK's page size, in parallel) instead of one RPC each — each RPC costs the
 * caller far more CPU (fetch, gRPC-web framing, protobuf) than the id it carries. Only existence and ownership are read
 * (no content); the initial shared version of a shared object found is kept (`sharedVersion`), so a transaction
 * naming it can be built without resolving it again (one RPC less per transaction).
 */
import type { ChainClient } from './client.js';

/** Ids per BatchGetObjects (the SDK pages getObjects by 50 too). */
const MAX_IDS = 50;
/** Initial shared versions kept (oldest forgotten first): a shared object's never changes, so any kept one is right. */
const MAX_SHARED_VERSIONS = 10_000;

interface Waiter {
  resolve: (exists: boolean) => void;
  reject: (err: unknown) => void;
}

export class ObjectExistence {
  /** Questions of this tick, by the abort signal they came with (one RPC carries one signal), then by id. */
  #pending = new Map<AbortSignal | undefined, Map<string, Waiter[]>>();
  #scheduled = false;
  #rpcs = 0;
  readonly #sharedVersions = new Map<string, string>();

  constructor(readonly client: ChainClient) {}

  /** BatchGetObjects calls made so far. */
  get rpcs(): number {
    return this.#rpcs;
  }

  /** The initial shared version of `id`, when an existence check found it shared (and it was not forgotten since). */
  sharedVersion(id: string): string | undefined {
    return this.#sharedVersions.get(id);
  }

  /** Drops what was learnt of `id` (e.g. once it is deleted). */
  forget(id: string): void {
    this.#sharedVersions.delete(id);
  }

  /** True when the object exists now, false when it does not (deleted or never created); RPC failures reject. */
  exists(id: string, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve, reject) => {
      let byId = this.#pending.get(signal);
      if (!byId) this.#pending.set(signal, (byId = new Map()));
      const waiters = byId.get(id);
      if (waiters) waiters.push({ resolve, reject });
      else byId.set(id, [{ resolve, reject }]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        // After this tick's microtasks: every request of a burst has asked by then.
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [signal, byId] of pending) {
      const ids = [...byId.keys()];
      for (let i = 0; i < ids.length; i += MAX_IDS) {
        const chunk = ids.slice(i, i + MAX_IDS);
        this.#rpcs++;
        this.client.core.getObjects({ objectIds: chunk, signal }).then(
          (res) =>
            chunk.forEach((id, k) => {
              const obj = res.objects[k];
              const found = obj !== undefined && !(obj instanceof Error);
              if (found && obj.owner?.$kind === 'Shared') this.#keep(id, obj.owner.Shared.initialSharedVersion);
              for (const w of byId.get(id)!) w.resolve(found);
            }),
          (err) => chunk.forEach((id) => byId.get(id)!.forEach((w) => w.reject(err))),
        );
      }
    }
  }

  #keep(id: string, version: string): void {
    if (this.#sharedVersions.size >= MAX_SHARED_VERSIONS) this.#sharedVersions.delete(this.#sharedVersions.keys().next().value!);
    this.#sharedVersions.set(id, version);
  }
}
