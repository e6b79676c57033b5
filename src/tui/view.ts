/**
 * What the viewer is looking at: the selected request, the details pane, the filter being typed. A pure reducer;
 * `hooks/useView.ts` binds it to the keyboard.
 */
export type ViewMode = 'table' | 'details' | 'filter';

export interface ViewState {
  mode: ViewMode;
  /** Key of the selected request; null follows the newest row. */
  selected: string | null;
  /** The applied filter. */
  filter: string;
  /** The filter being typed (mode `filter`). */
  draft: string;
  /** `q` was pressed. */
  quit: boolean;
}

/** The parts of Ink's `Key` the view reacts to. */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

export type ViewAction =
  /** Moves the selection within `keys` (the visible rows, oldest first). */
  | { type: 'move'; by: number; keys: string[] }
  | { type: 'open' }
  | { type: 'close' }
  | { type: 'filter-start' }
  | { type: 'filter-type'; text: string }
  | { type: 'filter-erase' }
  | { type: 'filter-apply' }
  | { type: 'filter-cancel' }
  | { type: 'filter-clear' }
  | { type: 'quit' }
  /** A key press, interpreted against the current mode (so fast typing never sees a stale mode). */
  | { type: 'key'; input: string; key: KeyPress; keys: string[] };

export const initialView: ViewState = { mode: 'table', selected: null, filter: '', draft: '', quit: false };

export function viewReducer(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'move': {
      const { keys, by } = action;
      if (!keys.length) return state;
      const current = state.selected === null ? keys.length - 1 : keys.indexOf(state.selected);
      const from = current < 0 ? keys.length - 1 : current;
      const to = Math.max(0, Math.min(keys.length - 1, from + by));
      // Moving onto the newest row goes back to following new rows.
      return { ...state, selected: to === keys.length - 1 ? null : keys[to] };
    }
    case 'open':
      return { ...state, mode: 'details' };
    case 'close':
      return { ...state, mode: 'table' };
    case 'filter-start':
      return { ...state, mode: 'filter', draft: state.filter };
    case 'filter-type':
      return { ...state, draft: state.draft + action.text };
    case 'filter-erase':
      return { ...state, draft: state.draft.slice(0, -1) };
    case 'filter-apply':
      return { ...state, mode: 'table', filter: state.draft.trim(), selected: null };
    case 'filter-cancel':
      return { ...state, mode: 'table', draft: state.filter };
    case 'filter-clear':
      return { ...state, filter: '', draft: '' };
    case 'quit':
      return { ...state, quit: true };
    case 'key': {
      const next = keyAction(state, action.input, action.key, action.keys);
      return next ? viewReducer(state, next) : state;
    }
  }
}

/** What a key press means in the current mode; null when nothing. */
export function keyAction(state: ViewState, input: string, key: KeyPress, keys: string[]): ViewAction | null {
  if (state.mode === 'filter') {
    if (key.return) return { type: 'filter-apply' };
    if (key.escape) return { type: 'filter-cancel' };
    if (key.backspace || key.delete) return { type: 'filter-erase' };
    if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow) return { type: 'filter-type', text: input };
    return null;
  }
  if (input === 'q') return { type: 'quit' };
  if (key.upArrow) return { type: 'move', by: -1, keys };
  if (key.downArrow) return { type: 'move', by: 1, keys };
  if (key.pageUp) return { type: 'move', by: -10, keys };
  if (key.pageDown) return { type: 'move', by: 10, keys };
  if (key.return) return state.mode === 'details' ? { type: 'close' } : { type: 'open' };
  if (key.escape) return state.mode === 'details' ? { type: 'close' } : state.filter ? { type: 'filter-clear' } : null;
  if (input === '/') return { type: 'filter-start' };
  return null;
}

/** The selected key among `keys`: the chosen one when still visible, else the newest. */
export function selectedKey(state: ViewState, keys: string[]): string | null {
  if (state.selected !== null && keys.includes(state.selected)) return state.selected;
  return keys.length ? keys[keys.length - 1] : null;
}
