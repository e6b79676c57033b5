/** Requests per minute, median latency and failures over the requests in view; fees and slashes once there are any. */
import { Box, Text } from 'ink';
import type { Totals as TotalsData } from '../lifecycle.js';
import { duration, sui } from '../format.js';

/** One line when it fits `columns`, else two (rates, then failures), so nothing wraps mid-phrase. */
export function Totals({ totals, columns = 100 }: { totals: TotalsData; columns?: number }) {
  const t = totals;
  const rates = `requests ${t.requests} · ${t.perMinute}/min · p50 latency ${duration(t.p50LatencyMs)}`;
  const failures = `failures ${t.failures} (${t.rejected} rejected, ${t.expired} expired, ${t.errors} HTTP ≥400)`;
  const pending = `pending ${t.pending}`;
  const oneLine = `${rates} · ${failures} · ${pending}`.length <= columns;
  const Rates = (
    <>
      requests <Text bold>{t.requests}</Text> · <Text bold>{t.perMinute}</Text>/min · p50 latency <Text bold>{duration(t.p50LatencyMs)}</Text>
    </>
  );
  const Failures = (
    <>
      failures <Text bold color={t.failures ? 'red' : undefined}>{t.failures}</Text> ({t.rejected} rejected, {t.expired} expired, {t.errors} HTTP ≥400)
    </>
  );
  const Fees =
    t.fees.paid || t.fees.refunded || t.fees.slashed ? (
      <Text wrap="truncate-end">
        fees <Text bold>{sui(t.fees.paid)}</Text> paid, {sui(t.fees.refunded)} refunded{t.fees.slashed ? ` · slashed ${sui(t.fees.slashed)}` : ''}
      </Text>
    ) : null;
  if (oneLine) {
    return (
      <Box flexDirection="column">
        <Text>
          {Rates} · {Failures} · pending <Text bold>{t.pending}</Text>
        </Text>
        {Fees}
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {Rates} · pending <Text bold>{t.pending}</Text>
      </Text>
      <Text wrap="truncate-end">{Failures}</Text>
      {Fees}
    </Box>
  );
}
