import { useEffect, useState } from 'react';
import { liveState, onLiveState, setLivePaused } from '../services/live.js';

/** The header's "Live" / "Paused" toggle: paused, no page refreshes by itself. */
export function LiveToggle() {
  const [state, setState] = useState(liveState);
  useEffect(() => onLiveState(() => setState(liveState())), []);
  const paused = state === 'paused';
  const title = paused
    ? 'Updates paused: pages stay as they are until you resume or reload'
    : state === 'live'
      ? 'Live: pages update when jobs change; click to pause'
      : 'Live: reconnecting (pages poll meanwhile); click to pause';
  return (
    <button type="button" className="button small button-quiet live-toggle" aria-pressed={!paused} title={title} onClick={() => setLivePaused(!paused)}>
      <span className={`dot ${paused ? 'dot-gone' : state === 'live' ? 'dot-live' : 'dot-connecting'}`} aria-hidden="true" />
      {paused ? 'Paused' : 'Live'}
    </button>
  );
}
