/** One line: what is watched and how fresh the view is. */
import { Box, Text } from 'ink';
import type { FeedStatus } from '../lifecycle.js';
import { shortId } from '../format.js';

export function Header({ clusterId, status }: { clusterId: string | null; status: FeedStatus }) {
  const live = status.error ? <Text color="red" wrap="truncate-end">reconnecting: {status.error}</Text> : status.caughtUp ? <Text color="green">live</Text> : <Text color="yellow">catching up…</Text>;
  return (
    <Box>
      <Text bold>k3sdaas watch</Text>
      <Text> · cluster {clusterId ? shortId(clusterId, 6) : 'all'} · checkpoint {status.checkpoint ?? '-'} · </Text>
      {live}
    </Box>
  );
}
