/**
 * What a transaction uses of its signer's owned objects, read from its (unbuilt or built) data, and what its
 * effects say about their new versions. Feeds the executor's locks and its object cache.
 */
import { AsyncCache } from '@mysten/sui/transactions';
import type { SuiClientTypes } from '@mysten/sui/client';
import type { Transaction } from '@mysten/sui/transactions';
import { fromBase64, normalizeSuiAddress } from '@mysten/sui/utils';

type Data = ReturnType<Transaction['getData']>;
type Input = Data['inputs'][number];

/**
 * Object inputs that are (or may be) owned: resolved owned or receiving objects, and unresolved ones not known to be
 * shared. An unresolved input of unknown kind is treated as owned until a build shows otherwise.
 */
export function ownedCandidates(data: Data, shared: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const input of data.inputs as Input[]) {
    const o = input.Object;
    if (o?.ImmOrOwnedObject) out.push(normalizeSuiAddress(o.ImmOrOwnedObject.objectId));
    else if (o?.Receiving) out.push(normalizeSuiAddress(o.Receiving.objectId));
    else if (input.UnresolvedObject) {
      const id = normalizeSuiAddress(input.UnresolvedObject.objectId);
      if (!input.UnresolvedObject.initialSharedVersion && !shared.has(id)) out.push(id);
    }
  }
  return out;
}

/** Shared object inputs of a built transaction, with their initial shared versions. */
export function sharedInputs(data: Data): Array<{ objectId: string; initialSharedVersion: string }> {
  return (data.inputs as Input[]).flatMap((i) =>
    i.Object?.SharedObject ? [{ objectId: normalizeSuiAddress(i.Object.SharedObject.objectId), initialSharedVersion: String(i.Object.SharedObject.initialSharedVersion) }] : [],
  );
}

/** Owned object refs a built transaction signs (inputs and gas payment): what must never be in two at once. */
export function signedOwnedRefs(data: Data): Array<{ objectId: string; version: string }> {
  const refs = (data.inputs as Input[]).flatMap((i) => {
    const r = i.Object?.ImmOrOwnedObject ?? i.Object?.Receiving;
    return r ? [{ objectId: normalizeSuiAddress(r.objectId), version: String(r.version) }] : [];
  });
  for (const p of data.gasData.payment ?? []) refs.push({ objectId: normalizeSuiAddress(p.objectId), version: String(p.version) });
  return refs;
}

/**
 * How much a transaction takes out of its gas coin besides gas: the sum of `SplitCoins(GasCoin, [...])` amounts, or
 * undefined when the gas coin is used in a way whose effect on its balance cannot be read from the data (merged
 * into, transferred, passed to a Move call). 0n when the gas coin is not used as an argument.
 */
export function gasCoinOutflow(data: Data): bigint | undefined {
  let total = 0n;
  let exact = true;
  const isGas = (a: unknown) => (a as { $kind?: string })?.$kind === 'GasCoin';
  for (const cmd of data.commands) {
    if (cmd.SplitCoins && isGas(cmd.SplitCoins.coin)) {
      for (const a of cmd.SplitCoins.amounts) {
        const input = a.$kind === 'Input' ? (data.inputs[a.Input] as Input | undefined) : undefined;
        const raw = (input as { UnresolvedPure?: { value: unknown } } | undefined)?.UnresolvedPure?.value;
        if (typeof raw === 'bigint' || typeof raw === 'number' || (typeof raw === 'string' && /^\d+$/.test(raw))) {
          total += BigInt(raw);
          continue;
        }
        const bytes = input?.Pure?.bytes;
        if (!bytes) {
          exact = false;
          continue;
        }
        const b = fromBase64(bytes);
        if (b.length !== 8) exact = false;
        else total += new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
      }
      continue;
    }
    if (JSON.stringify(cmd, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).includes('"GasCoin"')) exact = false;
  }
  return exact ? total : undefined;
}

/** An in-memory object cache the SDK's ObjectCache plugin reads from, fed with the SDK's parsed effects. */
export class ObjectRefCache extends AsyncCache {
  readonly #maps = { OwnedObject: new Map(), SharedOrImmutableObject: new Map(), MoveFunction: new Map(), Custom: new Map() } as Record<string, Map<string, any>>;
  async get(type: string, key: string): Promise<any> {
    return this.#maps[type]!.get(key) ?? null;
  }
  async set(type: string, key: string, value: any): Promise<void> {
    this.#maps[type]!.set(key, value);
  }
  async delete(type: string, key: string): Promise<void> {
    this.#maps[type]!.delete(key);
  }
  async clear(type?: string): Promise<void> {
    if (type) this.#maps[type]!.clear();
    else for (const m of Object.values(this.#maps)) m.clear();
  }

  /**
   * New versions of the objects the transaction wrote that the signer may sign again; deleted or wrapped objects
   * leave the cache. Only what `signer` owns is kept, and shared objects only once used as an input: the shared
   * objects a transaction creates (a Request per submission) and objects it hands to others or to an object
   * (dynamic fields) would otherwise stay in the cache forever, one entry per request.
   */
  applyEffects(effects: SuiClientTypes.TransactionEffects, signer?: string): void {
    const me = signer ? normalizeSuiAddress(signer) : undefined;
    for (const c of effects.changedObjects) {
      const id = normalizeSuiAddress(c.objectId);
      this.#maps.OwnedObject!.delete(id);
      if (c.outputState !== 'ObjectWrite' || !c.outputVersion || !c.outputDigest) {
        this.#maps.SharedOrImmutableObject!.delete(id);
        continue;
      }
      const owner = c.outputOwner;
      if (me && c.idOperation === 'Created' && owner?.$kind !== 'AddressOwner') continue;
      if (me && owner?.$kind === 'AddressOwner' && normalizeSuiAddress(owner.AddressOwner) !== me) continue;
      if (me && owner?.$kind === 'ObjectOwner') continue;
      if (owner?.$kind === 'Shared') {
        this.#maps.SharedOrImmutableObject!.set(id, { objectId: id, version: null, digest: null, owner: null, initialSharedVersion: owner.Shared.initialSharedVersion });
      } else if (owner?.$kind === 'AddressOwner' || owner?.$kind === 'ObjectOwner') {
        const who = owner.$kind === 'AddressOwner' ? owner.AddressOwner : owner.ObjectOwner;
        this.#maps.OwnedObject!.set(id, { objectId: id, version: c.outputVersion, digest: c.outputDigest, owner: who, initialSharedVersion: null });
      }
    }
  }

  /** An object a build showed to be shared (read-only ones never appear in effects): no lock next time. */
  rememberShared(objectId: string, initialSharedVersion: string): void {
    const id = normalizeSuiAddress(objectId);
    this.#maps.SharedOrImmutableObject!.set(id, { objectId: id, version: null, digest: null, owner: null, initialSharedVersion });
  }

  forget(ids: Iterable<string>): void {
    for (const id of ids) {
      this.#maps.OwnedObject!.delete(normalizeSuiAddress(id));
    }
  }

  /** Entries held (owned refs, shared objects), for leak checks. */
  get size(): { owned: number; shared: number } {
    return { owned: this.#maps.OwnedObject!.size, shared: this.#maps.SharedOrImmutableObject!.size };
  }

  isShared(id: string): boolean {
    return this.#maps.SharedOrImmutableObject!.get(normalizeSuiAddress(id))?.initialSharedVersion != null;
  }
}
