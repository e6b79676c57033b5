/** One request's life step by step, saying for each step what proves it (a transaction) or that the chain cannot. */
import { Box, Text } from 'ink';
import type { RequestRow } from '../lifecycle.js';
import { duration, roleName, STATE_COLORS, STATE_LABELS } from '../format.js';

type Mark = 'done' | 'failed' | 'waiting' | 'off-chain';
const GLYPH: Record<Mark, string> = { done: '✓', failed: '✗', waiting: '…', 'off-chain': '·' };
const COLOR: Record<Mark, string | undefined> = { done: 'green', failed: 'red', waiting: 'yellow', 'off-chain': 'gray' };

export const clock = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().slice(11, 23) + 'Z' : '');

function Step({ mark, name, at, children }: { mark: Mark; name: string; at?: number | null; children: string }) {
  return (
    <Text>
      <Text color={COLOR[mark]}>{GLYPH[mark]}</Text> <Text bold>{name.padEnd(11)}</Text> {clock(at).padEnd(13)} {children}
    </Text>
  );
}

function Steps({ row }: { row: RequestRow }) {
  if (row.state === 'rejected') {
    const where = row.abortModule ? `${row.abortModule}::${row.abortName ?? row.abortCode}` : 'not a Move abort';
    return (
      <>
        <Step mark="done" name="submitted" at={row.atMs}>{`tx ${row.rejectTx}`}</Step>
        <Step mark="failed" name="rejected" at={row.atMs}>{`${where}${row.abortCode !== null ? ` (abort code ${row.abortCode})` : ''}`}</Step>
        <Text>{'  '}reason: {row.reason}</Text>
      </>
    );
  }
  const answered = row.storeTx !== null;
  const expired = row.state === 'expired';
  return (
    <>
      <Step mark={row.submitTx ? 'done' : 'waiting'} name="submitted" at={row.submittedMs}>{`tx ${row.submitTx ?? '(not seen)'}`}</Step>
      <Step mark={row.submitTx ? 'done' : 'waiting'} name="authorized" at={row.submittedMs}>
        {`the contract accepted it (RequestSubmitted); deadline ${clock(row.deadlineMs)}`}
      </Step>
      <Step mark={row.pickedUpMs ? 'done' : 'off-chain'} name="picked up" at={row.pickedUpMs}>
        {row.pickedUpMs ? 'nautilus began executing it' : 'not recorded on chain (nautilus reads the event, then executes)'}
      </Step>
      <Step mark={answered ? 'done' : expired ? 'failed' : 'waiting'} name="executed" at={row.storedMs}>
        {answered ? `Kubernetes status ${row.status} (signed by the enclave)` : expired ? 'no answer before the deadline' : 'awaiting nautilus'}
      </Step>
      <Step mark={answered ? 'done' : expired ? 'failed' : 'waiting'} name={expired ? 'expired' : 'stored'} at={row.storedMs}>
        {answered
          ? `tx ${row.storeTx}; ${duration(row.latencyMs)} submit→answer`
          : expired
            ? `tx ${row.expireTx}`
            : 'no ResponseStored yet'}
      </Step>
      <Step mark={row.deliveredMs ? 'done' : 'off-chain'} name="delivered" at={row.deliveredMs}>
        {row.deliveredMs ? 'the gateway handed the answer to kubectl' : 'not recorded on chain (the gateway reads ResponseStored)'}
      </Step>
    </>
  );
}

export function RequestDetails({ row }: { row: RequestRow | null }) {
  if (!row) return <Text dimColor>no request selected</Text>;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>request {row.requestId ?? '(none: rejected before a Request object existed)'}</Text>{' '}
        <Text color={STATE_COLORS[row.state]}>[{STATE_LABELS[row.state]}]</Text>
      </Text>
      <Text>
        {row.method} {row.path}
        {row.verb ? `  (${row.verb}${row.resource ? ` ${row.resource}` : ''}${row.name ? `/${row.name}` : ''}${row.namespace ? ` in ${row.namespace}` : ''})` : ''}
      </Text>
      <Text>
        requester {row.requester || '(unknown)'} · role {roleName(row.role)}
        {row.gateway ? ` · via gateway ${row.gateway}` : ' · direct'}
      </Text>
      <Text>
        request body {row.bodySize ?? '-'} B · response body {row.responseSize ?? '-'} B
      </Text>
      <Box flexDirection="column" marginTop={1}>
        <Steps row={row} />
      </Box>
      <Text dimColor>
        Latency is submit→answer as the contract records it; nautilus' execution time is not on chain.
      </Text>
      <Text dimColor>Enter/Esc: back</Text>
    </Box>
  );
}
