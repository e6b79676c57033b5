/** `k3sdaas watch`: requests and their lifecycle, totals, workers; state from hooks, components render it. */
import { Box } from 'ink';
import { totals } from '../lifecycle.js';
import type { LifecycleFeed } from '../source.js';
import { useLifecycle } from '../hooks/useLifecycle.js';
import { useNow } from '../hooks/useNow.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
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
  /** Rows of the request table (default: what the terminal's height leaves). */
  height?: number;
  /** Width to lay out for (default: the terminal's columns, following resizes). */
  columns?: number;
  clock?: () => number;
  /** How often ages and rates refresh (0 = only on new events). */
  tickMs?: number;
}

export function App({ feed, clusterId, height: fixedHeight, columns: fixedColumns, clock = Date.now, tickMs = 1000 }: AppProps) {
  const terminal = useTerminalSize();
  const columns = fixedColumns ?? terminal.columns;
  const height = fixedHeight ?? (terminal.rows ? Math.max(5, terminal.rows - 14) : 12);
  const state = useLifecycle(feed);
  const now = useNow(clock, tickMs);
  const { view, rows, selected } = useView(state.requests);
  return (
    <Box flexDirection="column">
      <Header clusterId={clusterId} status={state.status} />
      <Totals totals={totals(state, now)} columns={columns} />
      <Box marginTop={1}>
        {view.mode === 'details' ? (
          <RequestDetails row={rows.find((r) => r.key === selected) ?? null} />
        ) : (
          <RequestTable rows={rows} selected={selected} height={height} columns={columns} />
        )}
      </Box>
      <Box marginTop={1}>
        <WorkersPanel workers={state.workers} now={now} />
      </Box>
      <FilterBar view={view} shown={rows.length} total={state.requests.length} />
    </Box>
  );
}
