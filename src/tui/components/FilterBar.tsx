/** The filter being typed, or the applied filter and the key hints. */
import { Box, Text } from 'ink';
import type { ViewState } from '../view.js';

export function FilterBar({ view, shown, total }: { view: ViewState; shown: number; total: number }) {
  if (view.mode === 'filter') {
    return (
      <Box>
        <Text color="cyan">/</Text>
        <Text>{view.draft}</Text>
        <Text inverse> </Text>
        <Text dimColor>  Enter apply · Esc cancel · {shown} of {total} match</Text>
      </Box>
    );
  }
  return (
    <Box>
      <Text dimColor>↑↓ select · Enter details · / filter · q quit</Text>
      {view.filter ? (
        <Text>
          {'  '}filter <Text color="cyan">{view.filter}</Text> ({shown} of {total}, Esc clears)
        </Text>
      ) : null}
    </Box>
  );
}
