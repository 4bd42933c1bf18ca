import type { ConversationItem } from '../api/types';
import { channelName } from './attachments';
import { STATUS_LABEL } from '../workspace/format';

/** The open conversation's client, channel, group, status and assignee (D13), and the profile toggle. */
export function ConversationHeader({ conv, clientName, blacklisted, meId, profileOpen, onToggleProfile }: { conv: ConversationItem; clientName: string; blacklisted: boolean; meId: string; profileOpen: boolean; onToggleProfile: () => void }) {
  const assignee = conv.assignee ? (conv.assignee.id === meId ? `${conv.assignee.name ?? 'me'} (me)` : (conv.assignee.name ?? 'an operator')) : 'nobody';
  return (
    <header className="cv-head">
      <button type="button" className="cv-avatar" aria-label={profileOpen ? 'Hide client profile' : 'Show client profile'} aria-expanded={profileOpen} onClick={onToggleProfile}>
        <span aria-hidden="true">{[...clientName.trim()][0]?.toUpperCase() ?? '?'}</span>
      </button>
      <div className="cv-head-main">
        <h2 className="cv-title" dir="auto" title={clientName}>
          {clientName}
        </h2>
        <dl className="cv-facts">
          <div>
            <dt>Channel</dt>
            <dd className={`cv-channel cv-channel-${conv.client.channel}`}>{channelName(conv.client.channel)}</dd>
          </div>
          <div>
            <dt>Group</dt>
            <dd className="cv-ellipsis" dir="auto">
              {conv.group.name ?? '—'}
            </dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>
              <span className={`cv-status cv-status-${conv.status}`}>{STATUS_LABEL[conv.status] ?? conv.status}</span>
              {blacklisted && <span className="cv-status cv-status-blacklisted">Blacklisted</span>}
            </dd>
          </div>
          <div>
            <dt>Assignee</dt>
            <dd className="cv-ellipsis" dir="auto">
              {assignee}
            </dd>
          </div>
        </dl>
      </div>
    </header>
  );
}
