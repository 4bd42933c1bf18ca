import type { ConversationStatus, Group, OperatorSummary, Presence, Tab } from '../api/types';
import { STATUS_LABEL } from './format';
import type { Filters } from './list-state';
import { NamedOptions } from '../NamedOptions';

/** D28: group in every tab; status in All; operator in All and Blacklist. */
export function ListFilters({ tab, filters, groups, operators, presence, onChange }: { tab: Tab; filters: Filters; groups: Group[]; operators: OperatorSummary[]; presence: Record<string, Presence>; onChange: (patch: Filters) => void }) {
  return (
    <div className="ws-filters">
      <label>
        <span className="ws-visually-hidden">Group</span>
        <select value={filters.groupId ?? ''} onChange={(e) => onChange({ groupId: e.target.value || undefined })} aria-label="Filter by group">
          <option value="">All groups</option>
          <NamedOptions items={groups} />
        </select>
      </label>
      {tab === 'all' && (
        <label>
          <span className="ws-visually-hidden">Status</span>
          <select value={filters.status ?? ''} onChange={(e) => onChange({ status: (e.target.value || undefined) as ConversationStatus | undefined })} aria-label="Filter by status">
            <option value="">All statuses</option>
            {(['unassigned', 'in_progress', 'closed'] as ConversationStatus[]).map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
      )}
      {(tab === 'all' || tab === 'blacklist') && (
        <label>
          <span className="ws-visually-hidden">Operator</span>
          <select value={filters.operatorId ?? ''} onChange={(e) => onChange({ operatorId: e.target.value || undefined })} aria-label="Filter by operator">
            <option value="">All operators</option>
            {operators.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
                {o.presence ? ` (${presence[o.id] ?? o.presence})` : ''}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}
