/** Lifecycle state from a feed (the chain, or a script): events and status go through the pure reducer. */
import { useEffect, useReducer } from 'react';
import { initialLifecycle, lifecycleReducer, type LifecycleAction, type LifecycleState } from '../lifecycle.js';
import type { LifecycleFeed } from '../source.js';

const reduce = (state: LifecycleState, action: LifecycleAction) => lifecycleReducer(state, action);

export function useLifecycle(feed: LifecycleFeed): LifecycleState {
  const [state, dispatch] = useReducer(reduce, undefined, initialLifecycle);
  useEffect(
    () =>
      feed.subscribe({
        events: (events) => dispatch({ type: 'events', events }),
        status: (status) => dispatch({ type: 'status', status }),
      }),
    [feed],
  );
  return state;
}
