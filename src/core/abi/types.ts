/**
 * The shape of the K3s-DaaS package ABI as TypeScript sees it. One description (./package.ts) is used by the
 * Move-call builders, the BCS event decoders, localnet's twin of the package, and the parity test against the
 * committed bytecode. docs/contract.md is the human-readable form.
 */

/** A Move type. Struct names are fully qualified; the K3s-DaaS package is written `k3sdaas::module::Name`. */
export type MoveType =
  | 'bool'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  | 'u128'
  | 'u256'
  | 'address'
  | { vector: MoveType }
  | { struct: string; typeArgs?: MoveType[] };

/** How an object parameter is taken. */
export type ObjectRef = '&' | '&mut' | 'value';

export type Param =
  | { name: string; kind: 'pure'; type: MoveType }
  | { name: string; kind: 'object'; type: MoveType; ref: ObjectRef };

export interface FunctionAbi {
  module: string;
  name: string;
  /** Parameters in order, without the trailing TxContext. */
  params: Param[];
  /** Whether the Move function takes `&mut TxContext` / `&TxContext` as its last parameter. */
  txContext: '&mut' | '&' | 'none';
}

export interface FieldAbi {
  name: string;
  type: MoveType;
}

export interface StructAbi {
  module: string;
  name: string;
  abilities: Array<'copy' | 'drop' | 'store' | 'key'>;
  /** Type parameters, e.g. IntentMessage<T>. */
  typeParams?: string[];
  fields: FieldAbi[];
}

export interface ErrorAbi {
  module: string;
  name: string;
  code: number;
}
