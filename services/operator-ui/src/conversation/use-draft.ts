import { useCallback, useRef, useState } from 'react';

/** What an operator was writing: its text, and whether it was an internal note (D18) or a reply. */
export type Draft = { text: string; note: boolean };

const empty: Draft = { text: '', note: false };
const PREFIX = 'relaydesk.draft.';
const keyOf = (operatorId: string, conversationId: string) => `${PREFIX}${operatorId}.${conversationId}`;

function read(key: string): Draft {
  try {
    const stored = JSON.parse(localStorage.getItem(key) ?? 'null') as Partial<Draft> | null;
    return typeof stored?.text === 'string' ? { text: stored.text, note: stored.note === true } : empty;
  } catch {
    return empty;
  }
}

function write(key: string, draft: Draft): void {
  try {
    if (draft.text) localStorage.setItem(key, JSON.stringify(draft));
    else localStorage.removeItem(key);
  } catch {
    // Storage full or forbidden (a private window): the draft lives as long as the composer.
  }
}

/** Forgets every draft kept in this browser: a log-out on a shared workstation leaves none behind. */
export function forgetDrafts(): void {
  try {
    for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
  } catch {
    // Nothing was kept.
  }
}

/**
 * The composer's draft, kept per operator and conversation in this browser: still there, in the
 * same mode, after opening another conversation, a reload, or the conversation leaving and coming
 * back. `latest` reads it as it is now, for an answer that arrives after more was typed.
 */
export function useDraft(operatorId: string, conversationId: string): { draft: Draft; setDraft: (draft: Draft) => void; latest: () => Draft } {
  const key = keyOf(operatorId, conversationId);
  const [draft, setState] = useState(() => read(key));
  const current = useRef(draft);
  const setDraft = useCallback(
    (next: Draft) => {
      current.current = next;
      setState(next);
      write(key, next);
    },
    [key],
  );
  const latest = useCallback(() => current.current, []);
  return { draft, setDraft, latest };
}
