import type { KeyboardEvent } from 'react';
import type { Tab } from '../api/types';
import { TAB_LABEL } from './format';
import { unreadIn, type ListState } from './list-state';

/** The tabs with #9 and each tab's #10 (D14); arrow keys, Home and End move between them. */
export function TabBar({ tabs, state, onOpen }: { tabs: Tab[]; state: ListState; onOpen: (tab: Tab) => void }) {
  const { tab } = state;
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = tabs.indexOf(tab);
    const to = e.key === 'ArrowRight' ? at + 1 : e.key === 'ArrowLeft' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : undefined;
    if (to === undefined) return;
    e.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length]!;
    onOpen(next);
    requestAnimationFrame(() => document.getElementById(`ws-tab-${next}`)?.focus());
  };
  return (
    <div className="ws-tabs" role="tablist" aria-label="Conversation tabs" onKeyDown={onKey}>
      {tabs.map((t) => {
        const unread = unreadIn(state, t);
        const mine = t === 'mine' ? state.counters?.mine : undefined;
        const name = [TAB_LABEL[t], mine !== undefined && `${mine} conversation${mine === 1 ? '' : 's'}`, unread > 0 && `${unread} with unread messages`].filter(Boolean).join(', ');
        return (
          <button
            key={t}
            id={`ws-tab-${t}`}
            role="tab"
            type="button"
            aria-label={name}
            aria-selected={t === tab}
            aria-controls="ws-tabpanel"
            tabIndex={t === tab ? 0 : -1}
            className={`ws-tab${t === tab ? ' current' : ''}`}
            onClick={() => onOpen(t)}
          >
            {TAB_LABEL[t]}
            {mine !== undefined && (
              <>
                {/* Not drawn (the gap spaces them), but "My inbox" and "1" stay two words, as in the tab's name. */}
                {' '}
                <span className="ws-count" title="Conversations in my inbox">
                  {mine}
                </span>
              </>
            )}
            {unread > 0 && <span className="ws-dot" title={`${unread} conversation${unread === 1 ? '' : 's'} with unread client messages`} />}
          </button>
        );
      })}
    </div>
  );
}
