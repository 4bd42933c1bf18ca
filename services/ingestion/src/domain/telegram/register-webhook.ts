import { AppError } from '@relaydesk/service-kit';
import type { Channel } from '../../store/channel.repository';
import { callPlatform, SendFailure } from '../platform-call';
import { methodUrl, postJson, readTelegramError } from './bot-api';

/** The only updates a channel asks for: the rest would be answered 200 and dropped anyway. */
export const allowedUpdates = ['message', 'edited_message'];

/** Telegram answered setWebhook with a refusal that trying again will not mend (a bad token, a URL it does not take). */
export class WebhookRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookRefusedError';
  }
}

/**
 * Tells Telegram to deliver the bot's updates to `webhookUrl` with the channel's secret token in
 * `X-Telegram-Bot-Api-Secret-Token`. A passing failure is a 503 AppError; a refusal, WebhookRefusedError.
 */
export async function registerTelegramWebhook(channel: Channel, webhookUrl: string): Promise<{ webhookUrl: string; description: string }> {
  let answer: unknown;
  try {
    answer = await callPlatform(
      methodUrl(channel, 'setWebhook'),
      postJson({ url: webhookUrl, secret_token: channel.settings['secretToken'], allowed_updates: allowedUpdates }),
      readTelegramError,
    );
  } catch (error) {
    if (!(error instanceof SendFailure)) throw error;
    if (error.kind === 'retry') throw new AppError('unavailable', `Telegram did not take the webhook now: ${error.title}; try again shortly`);
    throw new WebhookRefusedError(`Telegram refused the webhook: ${error.title}`);
  }
  const { ok, description } = (answer ?? {}) as { ok?: unknown; description?: unknown };
  if (ok !== true) throw new AppError('unavailable', 'Telegram answered setWebhook without ok: true; try again shortly');
  return { webhookUrl, description: typeof description === 'string' ? description : 'Webhook was set' };
}
