import { whatsappApiBaseUrl } from '@relaydesk/contracts';
import type { Channel } from '../../store/channel.repository';
import type { ReadPlatformError } from '../platform-call';

/** Where Meta's media URLs point (the Graph API answers them for a media id). */
const defaultMediaHosts = ['lookaside.fbsbx.com'];

/** Graph API error codes that mean "slow down", answered with HTTP 400 rather than 429. */
const rateLimitCodes = new Set([4, 80007, 130429, 131048, 131056]);

export const apiBaseOf = (channel: Channel): string => ((channel.settings['apiBaseUrl'] as string | undefined) ?? whatsappApiBaseUrl).replace(/\/+$/, '');

export const bearer = (channel: Channel): Record<string, string> => ({ authorization: `Bearer ${String(channel.settings['accessToken'])}` });

/** The hosts a media download may go to: the channel's API host and Meta's media hosts. */
export const mediaHostsOf = (channel: Channel): string[] => [new URL(apiBaseOf(channel)).host, ...((channel.settings['mediaHosts'] as string[] | undefined) ?? defaultMediaHosts)];

type GraphError = { error?: { code?: number; message?: string; title?: string; error_data?: { details?: string } } };

/** Reads `{error: {code, message, error_data: {details}}}`, the Graph API's error body. */
export const readGraphError: ReadPlatformError = (status, body) => {
  const error = (body as GraphError | undefined)?.error;
  const code = error?.code;
  return {
    code: code === undefined ? `http_${status}` : String(code),
    title: error?.error_data?.details ?? error?.message ?? error?.title ?? `The WhatsApp API answered HTTP ${status}`,
    ...(code !== undefined && rateLimitCodes.has(code) ? { passing: true } : {}),
  };
};
