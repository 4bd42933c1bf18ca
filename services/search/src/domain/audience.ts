import { hasAllTab, type CallerIdentity } from '@relaydesk/contracts';
import type { Audience } from '../store/search-engine';

/** D3, D4, D26, D27, D34: whose conversations a caller's search may return (see `Audience`). */
export function audienceOf(caller: CallerIdentity): Audience {
  if (caller.role === 'super_admin') return { everything: true };
  return { everything: false, operatorId: caller.operatorId, groupIds: caller.groupIds.length > 0 ? caller.groupIds : null, allTab: hasAllTab(caller) };
}
