import type { LiveState } from '@relaydesk/live';
import type { Logger } from '@relaydesk/service-kit';

export type AnnounceDeps = { live: Pick<LiveState, 'announceOperatorChanged'>; logger: Pick<Logger, 'warn'> };

/**
 * His open sockets on every gateway re-read him at once: re-scoped to new groups, closed (4401)
 * when deactivated or their token no longer holds. Should Redis miss this, they follow at their
 * next refresh instead, so the change still stands.
 */
export async function announceOperatorChanged(deps: AnnounceDeps, operatorId: string): Promise<void> {
  await deps.live.announceOperatorChanged(operatorId).catch((error: unknown) => deps.logger.warn({ err: error, operatorId }, 'operator changed: open streams follow at their next refresh'));
}
