/** Requests per minute, median latency and failures over the requests in view; fees and slashes once there are any. */
import { Box, Text } from 'ink';
import type { Totals as TotalsData } from '../lifecycle.js';
import { duration, sui } from '../format.js';

export function Totals({ totals }: { totals: TotalsData }) {
  const t = totals;
  return (
    <Box>
      <Text>
        requests <Text bold>{t.requests}</Text> · <Text bold>{t.perMinute}</Text>/min · p50 latency <Text bold>{duration(t.p50LatencyMs)}</Text> ·
        failures <Text bold color={t.failures ? 'red' : undefined}>{t.failures}</Text> ({t.rejected} rejected, {t.expired} expired, {t.errors} HTTP ≥400) · pending{' '}
        <Text bold>{t.pending}</Text>
        {t.fees.paid || t.fees.refunded || t.fees.slashed ? (
          <Text>
            {' '}· fees <Text bold>{sui(t.fees.paid)}</Text> paid, {sui(t.fees.refunded)} refunded{t.fees.slashed ? ` · slashed ${sui(t.fees.slashed)}` : ''}
          </Text>
        ) : null}
      </Text>
    </Box>
  );
}
