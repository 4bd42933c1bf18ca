import { z } from 'zod';
import { uuid } from '../primitives';
import { inboundMessage } from '../channels/inbound-message';

/** Routing's decision for one client message: the group a new or reopened conversation lands in. */
export const messageRouted = z.strictObject({
  inbound: inboundMessage,
  groupId: uuid,
});
export type MessageRouted = z.infer<typeof messageRouted>;
