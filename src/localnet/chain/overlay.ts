/** A copy-on-write view of the live object set for one transaction; discarded when execution fails. */
import type { StoredObject } from './types.js';

export class Overlay {
  readonly #base: ReadonlyMap<string, StoredObject>;
  readonly changes = new Map<string, StoredObject | null>();

  constructor(base: ReadonlyMap<string, StoredObject>) {
    this.#base = base;
  }

  get(id: string): StoredObject | undefined {
    if (this.changes.has(id)) return this.changes.get(id) ?? undefined;
    return this.#base.get(id);
  }

  base(id: string): StoredObject | undefined {
    return this.#base.get(id);
  }

  put(o: StoredObject): void {
    this.changes.set(o.id, o);
  }

  delete(id: string): void {
    this.changes.set(id, null);
  }

  /** Objects owned by `parent` (dynamic fields), current view. */
  childrenOf(parent: string): StoredObject[] {
    const out = new Map<string, StoredObject>();
    for (const o of this.#base.values()) if (o.owner.$kind === 'ObjectOwner' && o.owner.ObjectOwner === parent) out.set(o.id, o);
    for (const [id, o] of this.changes) {
      if (o && o.owner.$kind === 'ObjectOwner' && o.owner.ObjectOwner === parent) out.set(id, o);
      else out.delete(id);
    }
    return [...out.values()];
  }
}
