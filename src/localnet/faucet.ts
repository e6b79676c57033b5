/**
 * The faucet: `POST /v2/gas` with `{"FixedAmountRequest":{"recipient":"0x…"}}`, as `requestSuiFromFaucetV2`
 * expects. It pays with a real signed transaction from the faucet account (split the gas coin, transfer).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bcs } from '@mysten/sui/bcs';
import { fromBase64, isValidSuiAddress, normalizeSuiAddress } from '@mysten/sui/utils';
import type { Chain } from './chain/chain.js';
import { TxRejected } from './chain/errors.js';
import { REFERENCE_GAS_PRICE } from './chain/executor.js';
import { coinValue, SUI_COIN_TYPE, u64le } from './chain/ids.js';
import { FAUCET_ACCOUNT, MIST_PER_SUI } from './genesis.js';
import type { Logger } from './log.js';

export const FAUCET_AMOUNT = 100n * MIST_PER_SUI;
const FAUCET_GAS_BUDGET = 10_000_000n;

export class Faucet {
  readonly #server: http.Server;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly chain: Chain,
    readonly log: Logger,
    readonly amount = FAUCET_AMOUNT,
  ) {
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** Sends `amount` MIST to `recipient` in one new coin. */
  send(recipient: string): Promise<{ amount: number; id: string; transferTxDigest: string }> {
    const run = this.#queue.then(() => this.#send(recipient));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #send(recipient: string) {
    const owner = FAUCET_ACCOUNT.address;
    const gas = this.chain
      .ownedBy(owner)
      .filter((o) => o.type === SUI_COIN_TYPE)
      .sort((a, b) => (coinValue(b.contents) > coinValue(a.contents) ? 1 : -1))[0];
    if (!gas || coinValue(gas.contents) < this.amount + FAUCET_GAS_BUDGET) throw new Error('the faucet is empty');
    const bytes = bcs.TransactionData.serialize({
      V1: {
        kind: {
          ProgrammableTransaction: {
            inputs: [{ Pure: { bytes: u64le(this.amount) } }, { Pure: { bytes: bcs.Address.serialize(recipient).toBytes() } }],
            commands: [
              { SplitCoins: { coin: { GasCoin: true }, amounts: [{ Input: 0 }] } },
              { TransferObjects: { objects: [{ NestedResult: [0, 0] }], address: { Input: 1 } } },
            ],
          },
        },
        sender: owner,
        gasData: { payment: [{ objectId: gas.id, version: gas.version, digest: gas.digest }], owner, price: REFERENCE_GAS_PRICE, budget: FAUCET_GAS_BUDGET },
        expiration: { None: true },
      },
    }).toBytes();
    const { signature } = await FAUCET_ACCOUNT.keypair.signTransaction(bytes);
    const tx = await this.chain.execute(bytes, [fromBase64(signature)]);
    if (!tx.effects.status.success) throw new Error(`faucet transaction failed: ${tx.effects.status.error.message}`);
    const coin = tx.effects.changedObjects.find((c) => c.idOperation === 'CREATED' && c.objectType === SUI_COIN_TYPE);
    return { amount: Number(this.amount), id: coin!.id, transferTxDigest: tx.digest };
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'POST' });
      res.end();
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || (path !== '/v2/gas' && path !== '/gas' && path !== '/v1/gas')) {
      reply(404, { status: { Failure: { internal: `unknown faucet endpoint ${req.method} ${path}; use POST /v2/gas` } } });
      return;
    }
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const recipient = body?.FixedAmountRequest?.recipient;
      if (typeof recipient !== 'string' || !isValidSuiAddress(normalizeSuiAddress(recipient))) {
        reply(400, { status: { Failure: { internal: 'body must be {"FixedAmountRequest":{"recipient":"0x…"}}' } } });
        return;
      }
      const sent = await this.send(normalizeSuiAddress(recipient));
      this.log('info', 'faucet', { recipient, amount: sent.amount, digest: sent.transferTxDigest });
      reply(201, { status: 'Success', coins_sent: [sent] });
    } catch (err) {
      const message = err instanceof TxRejected || err instanceof Error ? err.message : String(err);
      this.log('warn', 'faucet request failed', { error: message });
      reply(500, { status: { Failure: { internal: message } } });
    }
  }
}
