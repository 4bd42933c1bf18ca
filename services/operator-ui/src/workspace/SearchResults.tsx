import { useEffect, useState, type KeyboardEvent } from 'react';
import { ApiError } from '../api/client';
import type { ConversationItem } from '../api/types';
import { useSession } from '../session';
import { ChannelIcon } from './ChannelIcon';
import { fullTime, shortTime, STATUS_LABEL } from './format';
import { Highlighted } from './highlight';

type Range = [number, number];
export type SearchHit = {
  conversation: ConversationItem;
  nameHighlight?: Range[];
  messageCount?: number;
  matches: { messageId: string; text: string; createdAt?: string; highlight: Range[] }[];
};

const MIN_QUERY = 3;

/** D26: fewer than 3 characters is no search; say why instead of asking the server. */
function queryProblem(q: string): string | undefined {
  const trimmed = q.trim();
  if (trimmed.length === 0) return undefined;
  if ([...trimmed].length < MIN_QUERY) return `Type at least ${MIN_QUERY} characters to search: words are matched from their start.`;
  return undefined;
}

type Answer = { q: string; items: SearchHit[]; nextCursor: string | null };

/** Arrow keys move between the results (and from the search box into them: `focusFirstHit`). */
function moveFocus(e: KeyboardEvent<HTMLElement>) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const hits = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('.ws-hit')];
  const at = hits.indexOf(document.activeElement as HTMLButtonElement);
  const next = hits[e.key === 'ArrowDown' ? at + 1 : at - 1];
  if (next) {
    e.preventDefault();
    next.focus();
  } else if (e.key === 'ArrowUp' && at === 0) {
    e.preventDefault();
    document.getElementById('ws-search-input')?.focus();
  }
}

export function focusFirstHit(): boolean {
  const first = document.querySelector<HTMLButtonElement>('.ws-hits .ws-hit');
  first?.focus();
  return first !== null;
}

/** GET /search as the operator types (after a short pause); clicking a hit opens its conversation. */
export function SearchResults({ query, onOpen }: { query: string; onOpen: (item: ConversationItem) => void }) {
  const { api } = useSession();
  const [answer, setAnswer] = useState<Answer>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const q = query.trim();
  const problem = queryProblem(query);

  useEffect(() => {
    if (!q || problem) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      setBusy(true);
      setError(undefined);
      api
        .get<{ items: SearchHit[]; nextCursor: string | null }>(`/search?q=${encodeURIComponent(q)}&limit=20`)
        .then((page) => !cancelled && setAnswer({ q, ...page }))
        .catch((e: unknown) => !cancelled && setError(e instanceof ApiError ? e.message : 'Search failed; try again'))
        .finally(() => !cancelled && setBusy(false));
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, q, problem]);

  async function more() {
    if (!answer?.nextCursor) return;
    setBusy(true);
    try {
      const page = await api.get<{ items: SearchHit[]; nextCursor: string | null }>(`/search?q=${encodeURIComponent(answer.q)}&limit=20&cursor=${encodeURIComponent(answer.nextCursor)}`);
      setAnswer({ q: answer.q, items: [...answer.items, ...page.items], nextCursor: page.nextCursor });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Search failed; try again');
    } finally {
      setBusy(false);
    }
  }

  if (problem)
    return (
      <p className="ws-note" role="status" id="ws-search-hint">
        {problem}
      </p>
    );
  const current = answer && answer.q === q ? answer : undefined;
  return (
    <div className="ws-search-results" aria-busy={busy}>
      {error && (
        <p role="alert" className="error ws-note">
          {error}
        </p>
      )}
      {!current && busy && <p className="ws-note">Searching…</p>}
      {current && (
        <p className="ws-note" role="status">
          {current.items.length === 0 ? `Nothing found for “${current.q}”.` : `${current.items.length}${current.nextCursor ? '+' : ''} conversation${current.items.length === 1 ? '' : 's'} found`}
        </p>
      )}
      {current && current.items.length > 0 && (
        <ul className="ws-hits" aria-label="Search results" onKeyDown={moveFocus}>
          {current.items.map((hit) => (
            <li key={hit.conversation.id}>
              <button type="button" className="ws-hit" onClick={() => onOpen(hit.conversation)}>
                <span className="ws-row-line">
                  <ChannelIcon channel={hit.conversation.client.channel} size={16} />
                  <bdi className="ws-name" dir="auto">
                    <Highlighted text={hit.conversation.client.name} ranges={hit.nameHighlight} />
                  </bdi>
                  <span className={`ws-status ws-status-${hit.conversation.status}`}>{STATUS_LABEL[hit.conversation.status]}</span>
                </span>
                {hit.matches.slice(0, 3).map((m) => (
                  <span key={m.messageId} className="ws-hit-match">
                    <span dir="auto" className="ws-hit-text">
                      <Highlighted text={m.text} ranges={m.highlight} />
                    </span>
                    {m.createdAt && (
                      <time dateTime={m.createdAt} title={fullTime(m.createdAt)} className="ws-time">
                        {shortTime(m.createdAt)}
                      </time>
                    )}
                  </span>
                ))}
                {(hit.messageCount ?? 0) > 3 && <span className="ws-hit-more">and {hit.messageCount! - 3} more messages</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {current?.nextCursor && (
        <button type="button" className="ws-more-button" onClick={() => void more()} disabled={busy}>
          More results
        </button>
      )}
    </div>
  );
}
