import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { commonEmoji } from './emoji';

/** Columns of the grid; conversation.css lays it out with as many. */
const COLUMNS = 6;

/** The arrow keys, Home and End move through the grid; Escape closes it and hands focus back. */
function moveFocus(e: KeyboardEvent<HTMLDivElement>): void {
  const buttons = [...e.currentTarget.querySelectorAll('button')];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return;
  const step: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
  const to = e.key === 'Home' ? 0 : e.key === 'End' ? buttons.length - 1 : step[e.key] !== undefined ? at + step[e.key]! : undefined;
  if (to === undefined) return;
  e.preventDefault();
  buttons[Math.min(Math.max(to, 0), buttons.length - 1)]!.focus();
}

/** The emoji button and its grid (D20): a pick goes to `onPick`, and the grid closes. */
export function EmojiPicker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const grid = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) grid.current?.querySelector('button')?.focus();
  }, [open]);

  return (
    <div
      className="cv-emoji-wrap"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          onClose();
        }
      }}
      onBlur={(e) => {
        if (open && !e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button type="button" aria-label="Emoji" aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)}>
        <span aria-hidden="true">🙂</span>
      </button>
      {open && (
        <div id={id} ref={grid} className="cv-emoji" role="group" aria-label="Emoji" onKeyDown={moveFocus}>
          {commonEmoji.map(([emoji, name]) => (
            <button
              key={emoji}
              type="button"
              aria-label={name}
              title={name}
              onClick={() => {
                setOpen(false);
                onPick(emoji);
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
