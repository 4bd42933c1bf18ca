import { z } from 'zod';
import { channelType, uuid } from '../primitives';

/** A channel was created or changed; routing keeps the default group of each channel from these. */
export const channelConfigured = z.strictObject({
  channelId: uuid,
  type: channelType,
  name: z.string().min(1).max(200),
  groupId: uuid,
});
export type ChannelConfigured = z.infer<typeof channelConfigured>;
