/** `k3sdaas watch`: requests and their lifecycle, totals, workers; state from hooks, components render it. */
import { Box } from 'ink';
import { totals } from '../lifecycle.js';
import type { LifecycleFeed } from '../source.js';
import { useLifecycle } from '../hooks/useLifecycle.js';
import { useNow } from '../hooks/useNow.js';
import { useView } from '../hooks/useView.js';
import { FilterBar } from './FilterBar.js';
import { Header } from './Header.js';
import { RequestDetails } from './RequestDetails.js';
import { RequestTable } from './RequestTable.js';
import { Totals } from './Totals.js';
import { WorkersPanel } from './WorkersPanel.js';

export interface AppProps {
  feed: LifecycleFeed;
  clusterId: string | null;
  /** Rows of the request table. */
  height?: number;
  clock?: () => number;
  /** How often ages and rates refresh (0 = only on new events). */
  tickMs?: number;
}

export function App({ feed, clusterId, height = 12, clock = Date.now, tickMs = 1000 }: AppProps) {
  const state = useLifecycle(feed);
  const now = useNow(clock, tickMs);
  const { view, rows, selected } = useView(state.requests);
  return (
    <Box flexDirection="column">
      <Header clusterId={clusterId} status={state.status} />
      <Totals totals={totals(state, now)} />
      <Box marginTop={1}>
        {view.mode === 'details' ? (
          <RequestDetails row={rows.find((r) => r.key === selected) ?? null} />
        ) : (
          <RequestTable rows={rows} selected={selected} height={height} />
        )}
      </Box>
      <Box marginTop={1}>
        <WorkersPanel workers={state.workers} now={now} />
      </Box>
      <FilterBar view={view} shown={rows.length} total={state.requests.length} />
    </Box>
  );
}
