/**
 * "Why am I seeing this": the visitor's segments, the reason for each, and when each lapses if
 * nothing else happens. Live: it changes the moment the server decides, including by time alone.
 */
import { useSegments } from '@personalize/client/react';
import { useEffect, useState } from 'react';

/** Re-renders every second while a countdown is shown. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function formatIn(ms: number): string {
  if (ms <= 0) return 'now';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `in ${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `in ${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `in ${hours}h ${minutes % 60}m` : `in ${Math.floor(hours / 24)} days`;
}

export function WhyPanel() {
  const { segments, loading, error, profileId } = useSegments();
  const now = useNow(segments.some((segment) => segment.expiresAt !== null));
  return (
    <aside className="why" data-testid="why-panel" aria-live="polite">
      <h2>Why am I seeing this?</h2>
      {loading && segments.length === 0 ? <p className="muted">Connecting…</p> : null}
      {error ? <p className="error">Live updates interrupted; reconnecting.</p> : null}
      {!loading && segments.length === 0 ? (
        <p className="muted">
          You are in no segment yet: you see the default content. Read a few news articles, or look at a
          product several times.
        </p>
      ) : null}
      <ul>
        {segments.map((segment) => (
          <li key={segment.key} className="segment" data-segment={segment.key}>
            <strong>{segment.name}</strong> <code>{segment.key}</code>
            <div className="reason">{segment.reason}</div>
            <div className="muted">
              since {new Date(segment.since).toLocaleTimeString()}
              {segment.expiresAt
                ? ` · lapses ${formatIn(new Date(segment.expiresAt).getTime() - now)}`
                : ' · does not lapse by itself'}
            </div>
          </li>
        ))}
      </ul>
      {profileId ? <p className="muted small">profile {profileId}</p> : null}
    </aside>
  );
}
