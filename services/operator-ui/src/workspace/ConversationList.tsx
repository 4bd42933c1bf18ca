import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ConversationItem, Presence, Tab } from '../api/types';
import { ConversationRow } from './ConversationRow';

const ROW_HEIGHT = 78;

type Props = {
  label: string;
  tab: Tab;
  items: ConversationItem[];
  openId: string | undefined;
  /** The row to make active when the open conversation left the list. */
  followerId?: string;
  presence: Record<string, Presence>;
  hasMore: boolean;
  loadingMore: boolean;
  onOpen: (item: ConversationItem) => void;
  onEndReached: () => void;
};

/**
 * The open tab's conversations, virtualised (only the rows in view exist), as a listbox: arrow
 * keys, Home/End and PageUp/PageDown move, Enter opens. The active row follows its conversation
 * when the list re-sorts under it.
 */
export function ConversationList({ label, tab, items, openId, followerId, presence, hasMore, loadingMore, onOpen, onEndReached }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [activeId, setActiveId] = useState<string | undefined>(openId);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (i) => items[i]?.id ?? i,
  });
  const rows = virtualizer.getVirtualItems();
  const lastShown = rows[rows.length - 1]?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && items.length > 0 && lastShown >= items.length - 10) onEndReached();
  }, [hasMore, loadingMore, items.length, lastShown, onEndReached]);

  useEffect(() => {
    if (openId) setActiveId(openId);
  }, [openId]);
  useEffect(() => {
    if (followerId) setActiveId(followerId);
  }, [followerId]);

  const activeIndex = activeId ? items.findIndex((i) => i.id === activeId) : -1;

  function moveTo(index: number) {
    if (items.length === 0) return;
    const at = Math.max(0, Math.min(items.length - 1, index));
    setActiveId(items[at]!.id);
    virtualizer.scrollToIndex(at, { align: 'auto' });
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 8) / ROW_HEIGHT) - 1);
    const from = activeIndex < 0 ? -1 : activeIndex;
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(from + 1),
      ArrowUp: () => moveTo(from < 0 ? 0 : from - 1),
      Home: () => moveTo(0),
      End: () => moveTo(items.length - 1),
      PageDown: () => moveTo(from + page),
      PageUp: () => moveTo(from - page),
      Enter: () => activeIndex >= 0 && onOpen(items[activeIndex]!),
      ' ': () => activeIndex >= 0 && onOpen(items[activeIndex]!),
    };
    const act = keys[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  }

  return (
    <div
      ref={scroller}
      className="ws-list"
      role="listbox"
      aria-label={label}
      tabIndex={0}
      aria-activedescendant={activeIndex >= 0 ? `ws-item-${items[activeIndex]!.id}` : undefined}
      onKeyDown={onKeyDown}
      onFocus={() => activeIndex < 0 && items[0] && setActiveId(items[0].id)}
    >
      <div role="presentation" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {rows.map((row) => {
          const item = items[row.index]!;
          return (
            <div key={row.key} role="presentation" className="ws-row-slot" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${row.start}px)` }}>
              <ConversationRow
                item={item}
                tab={tab}
                active={item.id === activeId}
                open={item.id === openId}
                presence={item.assignee ? presence[item.assignee.id] : undefined}
                onOpen={() => onOpen(item)}
                onPointer={() => setActiveId(item.id)}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}
