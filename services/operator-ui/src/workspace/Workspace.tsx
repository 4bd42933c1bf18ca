import { useState } from 'react';
import { ConversationPane } from '../conversation/ConversationPane';

/** Tabs, filters, search and the conversation list on the left; the open conversation beside them. */
export function Workspace() {
  const [openId, setOpenId] = useState<string>();
  return (
    <div className="workspace">
      <aside className="lists" aria-label="Conversations">
        <p>The tabs and the list come here.</p>
        <input aria-label="Open conversation by id" onKeyDown={(e) => e.key === 'Enter' && setOpenId(e.currentTarget.value)} />
      </aside>
      {openId ? <ConversationPane conversationId={openId} onLeave={() => setOpenId(undefined)} /> : <section className="pane empty">Choose a conversation</section>}
    </div>
  );
}
