import { z } from 'zod';
import { storableString, uuid } from '../primitives';

const secret = storableString.min(8, 'must be at least 8 characters').max(500);
const apiBaseUrl = z.url({ protocol: /^https?$/ }).optional();
const isBareOrigin = (url: URL): boolean => ['', '/'].includes(url.pathname) && !url.search && !url.hash;
/** A site a webchat may be shown on, as browsers send it in Origin: scheme://host[:port], no path. */
const siteOrigin = z
  .url({ protocol: /^https?$/, message: 'must be a site address like https://shop.example' })
  // zod runs this on what z.url refused too: that one is not a path problem.
  .refine((u) => !URL.canParse(u) || isBareOrigin(new URL(u)), 'must be a site address without a path, like https://shop.example')
  .transform((u) => new URL(u).origin);
/** The WhatsApp Cloud API, unless a channel names another base (a stand-in, an on-premises API). */
export const whatsappApiBaseUrl = 'https://graph.facebook.com/v21.0';

export const channelSettings = {
  whatsapp: z.strictObject({ phoneNumberId: storableString.min(1).max(50), accessToken: secret, appSecret: secret, verifyToken: secret, apiBaseUrl: z.url({ protocol: /^https?$/ }).default(whatsappApiBaseUrl) }),
  telegram: z.strictObject({ botToken: secret, secretToken: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 of A-Z a-z 0-9 _ -'), apiBaseUrl }),
  webchat: z.strictObject({ allowedOrigins: z.array(siteOrigin).max(50) }),
  api: z.strictObject({ apiKey: storableString.min(24, 'must be at least 24 characters').max(200) }),
};

const channelName = storableString.trim().min(1).max(200);

export const createChannelBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('whatsapp'), name: channelName, groupId: uuid, settings: channelSettings.whatsapp }),
  z.strictObject({ type: z.literal('telegram'), name: channelName, groupId: uuid, settings: channelSettings.telegram }),
  z.strictObject({ type: z.literal('webchat'), name: channelName, groupId: uuid, settings: channelSettings.webchat }),
  z.strictObject({ type: z.literal('api'), name: channelName, groupId: uuid, settings: channelSettings.api }),
]);
export type CreateChannelBody = z.infer<typeof createChannelBody>;

/**
 * Settings, when given, are merged over the stored ones and checked against the channel's type.
 * `enabled: false` switches the channel off: its webhooks answer 403 and its outbound messages fail.
 */
export const patchChannelBody = z
  .strictObject({ name: channelName, groupId: uuid, enabled: z.boolean(), settings: z.record(z.string(), z.unknown()) })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'names no field to change' });
export type PatchChannelBody = z.infer<typeof patchChannelBody>;
