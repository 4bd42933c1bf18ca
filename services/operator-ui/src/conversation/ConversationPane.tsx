import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConversationItem, Message, Tag } from '../api/types';
import { hasAllTab, useSession } from '../session';
import { ClientPanel } from './ClientPanel';
import { Composer } from './Composer';
import { ConversationHeader } from './ConversationHeader';
import { AssignGroupDialog, AssignOperatorDialog, ConfirmDialog, EmailDialog, LogDialog, TagDialog } from './Dialogs';
import { History } from './History';
import { useOpenConversation } from './use-open-conversation';
import { messageOf, newKey } from './util';
import './conversation.css';

type DialogName = 'operator' | 'group' | 'email' | 'tag' | 'blacklist' | 'unlock' | 'log';

/**
 * One conversation: its preview before "Start conversation" (Unassigned), history, composer,
 * actions and the client's profile. `onLeave`: the conversation left the caller's view (closed,
 * handed over, no longer visible), so the workspace can show the next one. `onItem`: the conversation
 * as it is now, each time that changes.
 */
export function ConversationPane(props: PaneProps) {
  // Another conversation starts from a clean slate: no selection or dialog carried over (its draft is its own, see useDraft).
  return <OpenConversation key={props.conversationId} {...props} />;
}

type PaneProps = { conversationId: string; onLeave: () => void; onItem?: (item: ConversationItem) => void };

function OpenConversation({ conversationId, onLeave, onItem }: PaneProps) {
  const { api, me, groups } = useSession();
  const { conv, client, setClient, messages, setMessages, addMessage, hasOlder, loadingOlder, loadOlder, loadError, banner, setBanner, busy, move, take } = useOpenConversation(conversationId, onLeave);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<DialogName>();
  const [profileOpen, setProfileOpen] = useState(() => typeof window === 'undefined' || !window.matchMedia || window.matchMedia('(min-width: 801px)').matches);
  const base = `/conversations/${conversationId}`;
  useEffect(() => {
    if (conv) onItem?.(conv);
  }, [conv, onItem]);
  const tryMove = (path: string, then?: 'leave') => move(() => api.post(`${base}/${path}`), then).catch(() => undefined);
  const pane = useRef<HTMLElement>(null);
  /** A reply the channel did not deliver (text or file) goes again as a new message, so both show with their own status. */
  const resend = (failed: Message) => {
    api
      .post<Message>(`${base}/messages`, { resendOf: failed.id }, { 'Idempotency-Key': newKey() })
      .then(addMessage, (e: unknown) => setBanner({ kind: 'error', text: `Not sent again: ${messageOf(e)}` }));
  };
  /** After "Start conversation" its button is gone: the keyboard goes on in the reply box, once it is drawn. */
  const startThenReply = async (start: () => Promise<unknown>) => {
    await start();
    requestAnimationFrame(() => pane.current?.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message to the client"]')?.focus());
  };

  /** The profile's × takes it away; the keyboard goes on from the button that brings it back, not from the page's top. */
  const closeProfile = () => {
    setProfileOpen(false);
    requestAnimationFrame(() => pane.current?.querySelector<HTMLButtonElement>('.cv-avatar')?.focus());
  };

  const toggle = useCallback((id: string) => {
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  if (!conv) {
    return (
      <section className="pane cv-pane" aria-label="Conversation">
        {banner && (
          <p role="alert" className="cv-banner cv-banner-error">
            {banner.text}
          </p>
        )}
        {loadError && !banner ? (
          <p role="alert" className="error cv-pad">
            This conversation could not be opened: {loadError}
          </p>
        ) : (
          !banner && <p className="loading">Loading conversation…</p>
        )}
      </section>
    );
  }

  const holder = conv.status === 'in_progress' && conv.assignee?.id === me.id;
  const blacklisted = client?.blacklisted ?? conv.client.blacklisted;
  const selectedIds = messages.filter((m) => selected.has(m.id)).map((m) => m.id);
  const clientName = client?.name ?? conv.client.name;

  return (
    <section ref={pane} className="pane cv-pane" aria-label={`Conversation with ${clientName}`}>
      <ConversationHeader conv={conv} clientName={clientName} blacklisted={blacklisted} meId={me.id} profileOpen={profileOpen} onToggleProfile={() => setProfileOpen((o) => !o)} />

      <div className="cv-actions" role="group" aria-label="Conversation actions">
        {conv.status === 'unassigned' && (
          <button type="button" className="primary" disabled={busy} onClick={() => void startThenReply(take)}>
            Start conversation
          </button>
        )}
        {conv.status === 'closed' && (
          <button type="button" className="primary" disabled={busy} onClick={() => void startThenReply(() => tryMove('reopen'))}>
            Start conversation
          </button>
        )}
        {holder && (
          <>
            <button type="button" disabled={busy} onClick={() => void tryMove('close', 'leave')}>
              To closed
            </button>
            <button type="button" disabled={busy} onClick={() => void tryMove('unassign', 'leave')}>
              To Unassigned
            </button>
          </>
        )}
        <button type="button" disabled={busy} onClick={() => setDialog('operator')}>
          Assign to operator
        </button>
        <button type="button" disabled={busy} onClick={() => setDialog('group')}>
          Assign to group
        </button>
        <button type="button" disabled={busy} onClick={() => setDialog('email')}>
          Send to Email{selectedIds.length > 0 ? ` (${selectedIds.length})` : ''}
        </button>
        <button type="button" disabled={busy || selectedIds.length === 0} title={selectedIds.length === 0 ? 'Select messages first' : undefined} onClick={() => setDialog('tag')}>
          Add Tag{selectedIds.length > 0 ? ` (${selectedIds.length})` : ''}
        </button>
        {!blacklisted && (
          <button type="button" className="cv-danger" disabled={busy} onClick={() => setDialog('blacklist')}>
            Send to the black list
          </button>
        )}
        {blacklisted && hasAllTab(me) && (
          <button type="button" disabled={busy} onClick={() => setDialog('unlock')}>
            Unlock conversation
          </button>
        )}
        <button type="button" onClick={() => setDialog('log')}>
          Conversation log
        </button>
        {selectedIds.length > 0 && (
          <button type="button" className="cv-link" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        )}
      </div>

      {banner && (
        <p role="alert" className={`cv-banner cv-banner-${banner.kind}`}>
          {banner.text}
          <button type="button" className="cv-link" aria-label="Dismiss" onClick={() => setBanner(undefined)}>
            ×
          </button>
        </p>
      )}
      {loadError && (
        <p role="alert" className="cv-banner cv-banner-error">
          {loadError}
        </p>
      )}

      <div className={`cv-body${profileOpen && client ? ' cv-with-profile' : ''}`}>
        <div className="cv-main">
          {conv.status === 'unassigned' && <p className="cv-preview-note">Preview: press “Start conversation” to take it into your inbox and reply.</p>}
          <History api={api} messages={messages} hasOlder={hasOlder} loadingOlder={loadingOlder} onLoadOlder={loadOlder} selected={selected} onToggle={toggle} selectable clientName={clientName} onResend={holder ? resend : undefined} />
          {holder ? (
            <Composer key="reply" api={api} conversationId={conversationId} channel={conv.client.channel} onSent={addMessage} />
          ) : (
            <>
              {conv.status === 'in_progress' && <p className="cv-readonly">Only {conv.assignee?.name ?? 'its assignee'} can reply in this conversation; you can leave a note.</p>}
              <Composer key="notes" notesOnly api={api} conversationId={conversationId} channel={conv.client.channel} onSent={addMessage} />
            </>
          )}
        </div>
        {profileOpen && client && <ClientPanel api={api} client={client} onChanged={setClient} onClose={closeProfile} />}
      </div>

      {dialog === 'operator' && (
        <AssignOperatorDialog
          api={api}
          currentId={conv.assignee?.id}
          onClose={() => setDialog(undefined)}
          onAssign={async (operatorId) => {
            await move(() => api.post(`${base}/assign`, { operatorId }), operatorId === me.id ? undefined : 'leave');
            setDialog(undefined);
          }}
        />
      )}
      {dialog === 'group' && (
        <AssignGroupDialog
          api={api}
          knownGroups={groups}
          currentId={conv.group.id}
          onClose={() => setDialog(undefined)}
          onAssign={async (groupId) => {
            await move(() => api.post(`${base}/group`, { groupId }), 'leave');
            setDialog(undefined);
          }}
        />
      )}
      {dialog === 'log' && <LogDialog api={api} conversationId={conversationId} onClose={() => setDialog(undefined)} />}
      {dialog === 'email' && <EmailDialog api={api} conversationId={conversationId} selectedIds={selectedIds} defaultSubject={`Conversation with ${clientName}`} onClose={() => setDialog(undefined)} />}
      {dialog === 'tag' && (
        <TagDialog
          api={api}
          conversationId={conversationId}
          selectedIds={selectedIds}
          onClose={() => setDialog(undefined)}
          onTagged={(tag: Tag, tagged: Message[]) => {
            const had = messages.filter((m) => selectedIds.includes(m.id) && m.tags.some((t) => t.id === tag.id)).length;
            setMessages((list) =>
              list.map((m) => {
                if (!selectedIds.includes(m.id)) return m;
                const fresh = tagged.find((t) => t.id === m.id)?.tags;
                return { ...m, tags: fresh ?? (m.tags.some((t) => t.id === tag.id) ? m.tags : [...m.tags, tag]) };
              }),
            );
            setSelected(new Set());
            setDialog(undefined);
            setBanner({ kind: 'info', text: taggedNotice(tag.name, selectedIds.length - had, had) });
          }}
        />
      )}
      {dialog === 'blacklist' && (
        <ConfirmDialog
          title="Send to the black list"
          text={`Messages from ${clientName} will be kept but reach no operator until the client is unlocked.${
            hasAllTab(me) ? '' : ' You will no longer see this conversation: only an operator with the Blacklist tab can unlock it.'
          }`}
          confirm="Send to the black list"
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            await move(() => api.post(`${base}/blacklist`));
            setDialog(undefined);
          }}
        />
      )}
      {dialog === 'unlock' && (
        <ConfirmDialog
          title="Unlock conversation"
          text={`Take ${clientName} off the black list? If messages arrived meanwhile, the conversation goes to Unassigned of its group.`}
          confirm="Unlock"
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            await move(() => api.delete(`${base}/blacklist`));
            setDialog(undefined);
          }}
        />
      )}
    </section>
  );
}

/** D24: what tagging did; tagging a message again changes nothing, and says so. */
function taggedNotice(tagName: string, added: number, had: number): string {
  const messages = (n: number) => `${n} message${n === 1 ? '' : 's'}`;
  if (added === 0) return had === 1 ? `The message already had tag “${tagName}”.` : `All ${had} messages already had tag “${tagName}”.`;
  return `Tag “${tagName}” added to ${messages(added)}${had > 0 ? `; ${messages(had)} already had it` : ''}.`;
}
