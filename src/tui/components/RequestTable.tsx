/** The requests in view, newest at the bottom, a window around the selected row. */
import { Box, Text } from 'ink';
import type { RequestRow } from '../lifecycle.js';
import { cell, duration, shortId, STATE_COLORS, STATE_LABELS } from '../format.js';

interface Column {
  name: string;
  width: number;
  /** Narrowest it may shrink to on a small terminal. */
  min?: number;
  /** Dropped on a small terminal, lowest first, once shrinking is not enough. */
  drop?: number;
  value: (row: RequestRow) => string;
}

const COLUMNS: Column[] = [
  { name: 'STATE', width: 10, value: (r) => STATE_LABELS[r.state] },
  { name: 'VERB', width: 7, value: (r) => r.verb || r.method },
  { name: 'RESOURCE', width: 13, min: 10, value: (r) => r.resource || r.path },
  { name: 'NAMESPACE', width: 9, min: 7, value: (r) => r.namespace || '-' },
  { name: 'REQUESTER', width: 11, drop: 2, value: (r) => shortId(r.requester) },
  { name: 'RESULT', width: 21, min: 12, value: (r) => result(r) },
  { name: 'LATENCY', width: 7, drop: 3, value: (r) => duration(r.latencyMs) },
  { name: 'TX', width: 11, drop: 1, value: (r) => shortId(lastTx(r)) },
];

const lineWidth = (cols: Column[]) => 1 + cols.reduce((n, c) => n + c.width, 0) + cols.length - 1;

/** The columns that fit `columns` characters: all at full width when they fit; else TX goes, then the wide ones shrink (RESULT first), then more go. */
export function fitColumns(columns: number): Column[] {
  let cols = COLUMNS.map((c) => ({ ...c }));
  const drop = (p: number) => {
    if (lineWidth(cols) > columns) cols = cols.filter((c) => c.drop !== p);
  };
  drop(1);
  for (const name of ['RESULT', 'RESOURCE', 'NAMESPACE']) {
    const c = cols.find((x) => x.name === name)!;
    const over = lineWidth(cols) - columns;
    if (over > 0 && c.min) c.width = Math.max(c.min, c.width - over);
  }
  drop(2);
  drop(3);
  return cols;
}

export function result(row: RequestRow): string {
  if (row.state === 'rejected') return row.abortName ?? 'aborted';
  if (row.state === 'expired') return 'no answer by deadline';
  if (row.status !== null) return String(row.status);
  return 'awaiting nautilus';
}

function lastTx(row: RequestRow): string | null {
  return row.expireTx ?? row.storeTx ?? row.rejectTx ?? row.submitTx;
}

function Row({ row, selected, cols }: { row: RequestRow; selected: boolean; cols: Column[] }) {
  const [first, ...rest] = cols;
  return (
    <Box>
      <Text inverse={selected} wrap="truncate-end">
        {selected ? '›' : ' '}
        <Text color={STATE_COLORS[row.state]}>{cell(first.value(row), first.width)}</Text>{' '}
        {rest.map((c) => cell(c.value(row), c.width)).join(' ')}
      </Text>
    </Box>
  );
}

export function RequestTable({ rows, selected, height, columns = 100 }: { rows: RequestRow[]; selected: string | null; height: number; columns?: number }) {
  const cols = fitColumns(columns);
  const at = Math.max(0, rows.findIndex((r) => r.key === selected));
  const from = rows.length <= height ? 0 : Math.min(Math.max(0, at - Math.floor(height / 2)), rows.length - height);
  const visible = rows.slice(from, from + height);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end"> {cols.map((c) => cell(c.name, c.width)).join(' ')}</Text>
      {rows.length === 0 ? <Text dimColor> no requests yet</Text> : null}
      {from > 0 ? <Text dimColor> … {from} earlier</Text> : null}
      {visible.map((row) => (
        <Row key={row.key} row={row} selected={row.key === selected} cols={cols} />
      ))}
      {from + height < rows.length ? <Text dimColor> … {rows.length - from - height} later</Text> : null}
    </Box>
  );
}
