import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Page } from '../api/types';
import { useSession } from '../session';
import { timeIn } from './analytics-time';
import { CHANNELS, type Selection, type TaggedMessage } from './analytics-types';
import { messageOf, queryOf } from './common';
import { pathOf } from '../route';

/** The messages behind one bar of the chart, paged, each with a way to open its conversation. */
export function BucketMessages({
  selection,
  filters,
  timeZone,
  onOpenConversation,
  onClose,
}: {
  selection: Selection;
  filters: Record<string, string>;
  timeZone: string;
  onOpenConversation?: (conversationId: string) => void;
  onClose: () => void;
}) {
  const { api } = useSession();
  const [items, setItems] = useState<TaggedMessage[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  const id = useId();

  const load = useCallback(
    async (cursor?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const { groupId, operatorId, channel } = filters;
        const page = await api.get<Page<TaggedMessage>>(
          `/analytics/tags/${encodeURIComponent(selection.tagId)}/messages${queryOf({ from: selection.from, to: selection.to, tz: timeZone, groupId, operatorId, channel, limit: 50, cursor })}`,
        );
        setItems((current) => (cursor ? [...current, ...page.items] : page.items));
        setNextCursor(page.nextCursor);
      } catch (e) {
        setError(messageOf(e));
      } finally {
        setLoading(false);
      }
    },
    [api, filters, selection.tagId, selection.from, selection.to, timeZone],
  );

  useEffect(() => void load(), [load]);
  useEffect(() => {
    heading.current?.focus();
    heading.current?.scrollIntoView?.({ block: 'nearest' });
  }, []);

  return (
    <section className="bucket-messages" aria-labelledby={`${id}-h`} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <header>
        <h4 id={`${id}-h`} ref={heading} tabIndex={-1}>
          <span dir="auto">{selection.name}</span> · {selection.label}
          <span className="muted">
            {' '}
            — {selection.count} message{selection.count === 1 ? '' : 's'}
          </span>
        </h4>
        <button onClick={onClose} aria-label="Close the message list">
          Close
        </button>
      </header>
      {error && (
        <p role="alert" className="error">
          {error} <button onClick={() => void load()}>Try again</button>
        </p>
      )}
      {!loading && !error && items.length === 0 && <p className="muted">No messages behind this bar.</p>}
      <ul className="tagged-messages">
        {items.map((m) => (
          <li key={`${m.messageId}`}>
            <div className="tagged-meta">
              <strong dir="auto">{m.clientName || 'Unknown client'}</strong>
              <span className="muted">
                {CHANNELS.find(([c]) => c === m.channel)?.[1] ?? m.channel} · {m.kind === 'note' ? 'note' : m.direction === 'in' ? 'from the client' : 'from an operator'} · <time dateTime={m.createdAt}>{timeIn(m.createdAt, timeZone)}</time>
              </span>
            </div>
            <p className="tagged-text" dir="auto">
              {m.text ?? (m.kind === 'file' ? '(a file)' : '(no text)')}
            </p>
            {onOpenConversation ? (
              <a
                href={pathOf({ page: 'conversations', conversationId: m.conversationId })}
                className="open-link"
                onClick={(e) => {
                  e.preventDefault();
                  onOpenConversation(m.conversationId);
                }}
              >
                Open conversation<span className="sr-only"> with {m.clientName || 'this client'}</span>
              </a>
            ) : null}
          </li>
        ))}
      </ul>
      <p role="status" aria-live="polite" className="muted">
        {loading ? 'Loading…' : ''}
      </p>
      {nextCursor && !loading && <button onClick={() => void load(nextCursor)}>Show more</button>}
    </section>
  );
}
