import { useCallback, useState } from 'react';

const keyOf = (operatorId: string, conversationId: string) => `relaydesk.draft.${operatorId}.${conversationId}`;

function read(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

function write(key: string, text: string): void {
  try {
    if (text) localStorage.setItem(key, text);
    else localStorage.removeItem(key);
  } catch {
    // Storage full or forbidden (a private window): the draft lives as long as the composer.
  }
}

/**
 * The composer's text, kept per operator and conversation in this browser: it is still there after
 * opening another conversation, a reload, or the conversation leaving and coming back.
 */
export function useDraft(operatorId: string, conversationId: string): [string, (text: string) => void] {
  const key = keyOf(operatorId, conversationId);
  const [text, setText] = useState(() => read(key));
  const update = useCallback(
    (next: string) => {
      setText(next);
      write(key, next);
    },
    [key],
  );
  return [text, update];
}
