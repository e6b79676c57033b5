/** Registered workers: status, stake and last heartbeat. */
import { Box, Text } from 'ink';
import type { WorkerRow } from '../lifecycle.js';
import { ago, cell, shortId, sui, WORKER_COLORS } from '../format.js';

export function WorkersPanel({ workers, now }: { workers: WorkerRow[]; now: number }) {
  return (
    <Box flexDirection="column">
      <Text bold>
        {' '}
        {cell('WORKER', 14)} {cell('NODE', 18)} {cell('STATUS', 9)} {cell('STAKE', 12)} LAST HEARTBEAT
      </Text>
      {workers.length === 0 ? <Text dimColor> no workers registered</Text> : null}
      {workers.map((w) => (
        <Text key={w.workerId}>
          {' '}
          {cell(shortId(w.workerId), 14)} {cell(w.nodeName || '-', 18)} <Text color={WORKER_COLORS[w.status]}>{cell(w.status, 9)}</Text>{' '}
          {cell(sui(w.stake), 12)} {ago(w.lastHeartbeatMs, now)}
        </Text>
      ))}
    </Box>
  );
}
