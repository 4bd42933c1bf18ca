import type { ConversationItem, Presence, Tab } from '../api/types';
import { ChannelIcon } from './ChannelIcon';
import { assigneeTitle, clientName, fullTime, pinLabel, PRESENCE_LABEL, preview, shortTime, STATUS_LABEL } from './format';
import { tabTime } from './list-state';

type Props = {
  item: ConversationItem;
  tab: Tab;
  active: boolean;
  open: boolean;
  presence: Presence | undefined;
  onOpen: () => void;
  onPointer: () => void;
};

/** Words only a screen reader says: what the layout tells the eye (a pause, whose name that is). */
function Said({ children }: { children: string }) {
  return <span className="ws-visually-hidden">{children}</span>;
}

/**
 * One conversation of a list with elements #1–#8 (D13). Names and texts are text, never markup.
 * The row is named by what it shows, in the order it shows it, with the words the layout implies:
 * a name of its own (aria-label) would leave out some of what a speech user sees and says.
 */
export function ConversationRow({ item, tab, active, open, presence, onOpen, onPointer }: Props) {
  const time = tabTime(tab, item);
  const pin = pinLabel(item);
  const unread = item.unreadCount;
  const name = clientName(item);
  const assigneeName = item.assignee?.name ?? 'Former operator';
  return (
    <div
      id={`ws-item-${item.id}`}
      role="option"
      aria-selected={open}
      className={`ws-row${active ? ' active' : ''}${open ? ' open' : ''}${unread > 0 ? ' unread' : ''}`}
      onClick={onOpen}
      onMouseDown={onPointer}
      data-id={item.id}
    >
      <ChannelIcon channel={item.client.channel} />
      <Said>,</Said>
      <div className="ws-row-main">
        <div className="ws-row-line">
          <bdi className="ws-name" dir="auto" title={name}>
            {name}
          </bdi>
          <Said>,</Said>{' '}
          <time className="ws-time" dateTime={time} title={fullTime(time)}>
            {shortTime(time)}
          </time>
          <Said>,</Said>
        </div>
        <div className="ws-row-line">
          <span className="ws-preview">
            {item.lastMessageByOperator && (
              <span className="ws-mine" title="The last message was the operator’s" role="img" aria-label="Operator wrote last:">
                <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true">
                  <path fill="currentColor" d="M6.5 3 1.5 8l5 5V9.8c3.6 0 6 1 8 3.7-.7-3.9-3-7.4-8-8V3Z" />
                </svg>
              </span>
            )}{' '}
            <span dir="auto" className="ws-preview-text">
              {preview(item)}
            </span>
          </span>
          <Said>,</Said>
          {unread > 0 && (
            <>
              {' '}
              <span className="ws-unread" role="img" aria-label={`${unread} unread`} title={`${unread} unread client message${unread === 1 ? '' : 's'}`}>
                {unread > 99 ? '99+' : unread}
              </span>
              <Said>,</Said>
            </>
          )}
        </div>
        <div className="ws-row-line ws-meta">
          <span className={`ws-status ws-status-${item.status}`}>{STATUS_LABEL[item.status]}</span>
          {item.group.name && (
            <span className="ws-group" title="Group">
              <Said>{`, group ${item.group.name}`}</Said>
              <bdi dir="auto" aria-hidden="true">
                {item.group.name}
              </bdi>
            </span>
          )}
          {item.assignee && (
            <span className={`ws-assignee presence-dot presence-${presence ?? 'offline'}`} title={assigneeTitle(item, presence)}>
              <Said>{`, assigned to ${assigneeName} (${PRESENCE_LABEL[presence ?? 'offline']})`}</Said>
              <bdi dir="auto" aria-hidden="true">
                {assigneeName}
              </bdi>
            </span>
          )}
          {pin && (
            <span className="ws-pin" title={pin}>
              <Said>,</Said>{' '}
              <svg width="11" height="11" viewBox="0 0 16 16" aria-hidden="true">
                <path fill="currentColor" d="M10.5 1.5 14.5 5.5 12.8 6 10 8.8l.4 3.4-1.4 1.4-3-3-3.6 3.6-.8-.8L5.2 9.8l-3-3 1.4-1.4 3.4.4L9.8 3.1Z" />
              </svg>
              <bdi dir="auto">{pin}</bdi>
            </span>
          )}
        </div>
      </div>
    </div>
  );
}
