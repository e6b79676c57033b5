/** Keyboard → view reducer: selection, details, filter, quit. Returns the rows that pass the filter. */
import { useEffect, useMemo, useReducer, useRef } from 'react';
import { useApp, useInput } from 'ink';
import { filterRequests, type RequestRow } from '../lifecycle.js';
import { initialView, selectedKey, viewReducer } from '../view.js';

export function useView(requests: RequestRow[]) {
  const [view, dispatch] = useReducer(viewReducer, initialView);
  const filter = view.mode === 'filter' ? view.draft : view.filter;
  const rows = useMemo(() => filterRequests(requests, filter), [requests, filter]);
  const keys = useRef<string[]>([]);
  keys.current = rows.map((r) => r.key);
  useInput((input, key) => dispatch({ type: 'key', input, key, keys: keys.current }));
  const { exit } = useApp();
  useEffect(() => {
    if (view.quit) exit();
  }, [view.quit, exit]);
  return { view, rows, selected: selectedKey(view, keys.current) };
}
