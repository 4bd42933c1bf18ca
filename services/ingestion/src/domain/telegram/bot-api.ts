import type { Channel } from '../../store/channel.repository';
import { callPlatform, SendFailure, type ReadPlatformError } from '../platform-call';

/** The Bot API, unless a channel names another base (a stand-in, a local Bot API server). */
const telegramApiBaseUrl = 'https://api.telegram.org';

export const apiBaseOf = (channel: Channel): string => ((channel.settings['apiBaseUrl'] as string | undefined) ?? telegramApiBaseUrl).replace(/\/+$/, '');

const botToken = (channel: Channel): string => String(channel.settings['botToken']);

/** `{apiBase}/bot<token>/<method>`: where a Bot API method is called. */
export const methodUrl = (channel: Channel, method: string): string => `${apiBaseOf(channel)}/bot${botToken(channel)}/${method}`;

/** `{apiBase}/file/bot<token>/<file_path>`: where a file named by `getFile` is downloaded. */
export const fileUrl = (channel: Channel, filePath: string): string => `${apiBaseOf(channel)}/file/bot${botToken(channel)}/${filePath}`;

type BotApiError = { ok?: boolean; error_code?: number; description?: string; parameters?: { retry_after?: number } };

/** Reads `{ok: false, error_code, description, parameters: {retry_after}}`, the Bot API's error body. */
export const readTelegramError: ReadPlatformError = (status, body) => {
  const error = body as BotApiError | undefined;
  const retryAfter = error?.parameters?.retry_after;
  return {
    code: String(error?.error_code ?? status),
    title: error?.description ?? `The Telegram Bot API answered HTTP ${status}`,
    ...(typeof retryAfter === 'number' && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  };
};

/**
 * Calls a Bot API method and answers its `result`. The token is in the URL, so no message here
 * ever quotes the URL. Failures are SendFailures: `retry` when trying again may help.
 */
export async function callBotApi(channel: Channel, method: string, init: RequestInit): Promise<unknown> {
  const answer = (await callPlatform(methodUrl(channel, method), init, readTelegramError)) as { ok?: unknown; result?: unknown } | undefined;
  if (answer?.ok !== true) throw new SendFailure('retry', 'bad_answer', `The Telegram Bot API answered ${method} without ok: true`);
  return answer.result;
}

export const postJson = (body: Record<string, unknown>): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
