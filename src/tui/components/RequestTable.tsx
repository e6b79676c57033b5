/** The requests in view, newest at the bottom, a window around the selected row. */
import { Box, Text } from 'ink';
import type { RequestRow } from '../lifecycle.js';
import { cell, duration, shortId, STATE_COLORS, STATE_LABELS } from '../format.js';

const COLUMNS = [
  ['STATE', 10],
  ['VERB', 7],
  ['RESOURCE', 13],
  ['NAMESPACE', 9],
  ['REQUESTER', 11],
  ['RESULT', 21],
  ['LATENCY', 7],
  ['TX', 11],
] as const;

export function result(row: RequestRow): string {
  if (row.state === 'rejected') return row.abortName ?? 'aborted';
  if (row.state === 'expired') return 'no answer by deadline';
  if (row.status !== null) return String(row.status);
  return 'awaiting nautilus';
}

function lastTx(row: RequestRow): string | null {
  return row.expireTx ?? row.storeTx ?? row.rejectTx ?? row.submitTx;
}

function Row({ row, selected }: { row: RequestRow; selected: boolean }) {
  const values = [
    STATE_LABELS[row.state],
    row.verb || row.method,
    row.resource || row.path,
    row.namespace || '-',
    shortId(row.requester),
    result(row),
    duration(row.latencyMs),
    shortId(lastTx(row)),
  ];
  return (
    <Box>
      <Text inverse={selected}>
        {selected ? '›' : ' '}
        <Text color={STATE_COLORS[row.state]}>{cell(values[0], COLUMNS[0][1])}</Text>{' '}
        {values
          .slice(1)
          .map((v, i) => cell(v, COLUMNS[i + 1][1]))
          .join(' ')}
      </Text>
    </Box>
  );
}

export function RequestTable({ rows, selected, height }: { rows: RequestRow[]; selected: string | null; height: number }) {
  const at = Math.max(0, rows.findIndex((r) => r.key === selected));
  const from = rows.length <= height ? 0 : Math.min(Math.max(0, at - Math.floor(height / 2)), rows.length - height);
  const visible = rows.slice(from, from + height);
  return (
    <Box flexDirection="column">
      <Text bold> {COLUMNS.map(([name, width]) => cell(name, width)).join(' ')}</Text>
      {rows.length === 0 ? <Text dimColor> no requests yet</Text> : null}
      {from > 0 ? <Text dimColor> … {from} earlier</Text> : null}
      {visible.map((row) => (
        <Row key={row.key} row={row} selected={row.key === selected} />
      ))}
      {from + height < rows.length ? <Text dimColor> … {rows.length - from - height} later</Text> : null}
    </Box>
  );
}
