/** The current time, re-read every `tickMs` (0 = never: tests pass a fixed clock). */
import { useEffect, useState } from 'react';

export function useNow(clock: () => number, tickMs: number): number {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    if (!tickMs) return;
    const t = setInterval(() => setNow(clock()), tickMs);
    return () => clearInterval(t);
  }, [clock, tickMs]);
  return tickMs ? now : clock();
}
