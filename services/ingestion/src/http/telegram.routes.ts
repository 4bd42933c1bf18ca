import { Router } from 'express';
import { withStorableText } from '@relaydesk/contracts';
import { AppError, identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { channelView } from '../domain/configure-channel';
import { receiveTelegramUpdate, verifyTelegramSecret, type TelegramWebhookDeps } from '../domain/telegram/receive-update';
import { registerTelegramWebhook, WebhookRefusedError } from '../domain/telegram/register-webhook';
import { telegramUpdate } from '../domain/telegram/update';
import type { ChannelRepository } from '../store/channel.repository';
import { channelOf, receivingChannelOf } from '../domain/channel-access';

/**
 * The Telegram Bot API webhook (public, with the channel's secret token) and, behind the gateway's
 * identity, the registration of that webhook with Telegram.
 */
export function telegramRoutes(channels: ChannelRepository, deps: TelegramWebhookDeps & { publicUrl: string }): Router {
  const router = Router();

  router.post('/ingest/v1/telegram/:channelId', async (req, res) => {
    const channel = await receivingChannelOf(channels, 'telegram', req.params['channelId']);
    verifyTelegramSecret(channel, req.header('x-telegram-bot-api-secret-token'));
    const update = parseOrThrow(telegramUpdate, withStorableText(req.body), 'update');
    res.json(await receiveTelegramUpdate(deps, channel, update));
  });

  router.post('/channels/:id/telegram/webhook', async (req, res) => {
    if (identityOf(res).role !== 'super_admin') throw new AppError('forbidden', 'Only a super_admin manages channels');
    const channel = await channelOf(channels, 'telegram', req.params['id']);
    try {
      res.json(await registerTelegramWebhook(channel, channelView(channel, deps.publicUrl).webhookUrl));
    } catch (error) {
      if (!(error instanceof WebhookRefusedError)) throw error;
      res.status(502).json({ error: { code: 'unprocessable', message: error.message } });
    }
  });

  return router;
}
