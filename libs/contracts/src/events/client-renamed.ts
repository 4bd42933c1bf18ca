import { z } from 'zod';
import { isoTime, uuid } from '../primitives';

/** D17: an operator renamed a client; the channel's name stays as originalName. */
export const clientRenamed = z.strictObject({
  clientId: uuid,
  conversationId: uuid,
  name: z.string(),
  originalName: z.string(),
  actorId: uuid,
  at: isoTime,
});
export type ClientRenamed = z.infer<typeof clientRenamed>;
