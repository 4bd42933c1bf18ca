import { randomUUID } from 'node:crypto';
import type { CallerIdentity } from '@relaydesk/contracts';

/** The gateway's own identity, for work no operator's request asks for (a sweep, a mailed file link): a super_admin no operator is. */
export const systemCaller: CallerIdentity = { operatorId: randomUUID(), role: 'super_admin', permissions: [], groupIds: [] };
