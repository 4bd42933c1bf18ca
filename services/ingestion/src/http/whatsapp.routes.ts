import { Router } from 'express';
import { whatsappCheckBody, withStorableText } from '@relaydesk/contracts';
import { AppError, parseOrThrow, rawBodyOf, type Logger } from '@relaydesk/service-kit';
import { z } from 'zod';
import { checkWhatsappNumber } from '../domain/whatsapp/check-number';
import { receiveWhatsappWebhook, verifyWhatsappSignature, type WhatsappWebhookDeps } from '../domain/whatsapp/receive-webhook';
import { readWhatsappWebhook, whatsappWebhook } from '../domain/whatsapp/webhook';
import type { ChannelRepository } from '../store/channel.repository';
import { channelOf, receivingChannelOf, sameSecret } from '../domain/channel-access';
const verification = z.object({ 'hub.mode': z.literal('subscribe'), 'hub.verify_token': z.string(), 'hub.challenge': z.string().max(1000) });

/** The WhatsApp Cloud API webhook (public, signed by Meta) and the adapter's internal routes. */
export function whatsappRoutes(channels: ChannelRepository, deps: WhatsappWebhookDeps & { logger: Logger }): Router {
  const router = Router();

  // Meta's subscription check: echo hub.challenge when hub.verify_token is the channel's.
  router.get('/ingest/v1/whatsapp/:channelId', async (req, res) => {
    const channel = await channelOf(channels, 'whatsapp', req.params['channelId']);
    const query = parseOrThrow(verification, req.query, 'query');
    if (!sameSecret(query['hub.verify_token'], channel.settings['verifyToken'])) throw new AppError('forbidden', 'hub.verify_token is not this channel\'s verify token');
    res.type('text/plain').send(query['hub.challenge']);
  });

  router.post('/ingest/v1/whatsapp/:channelId', async (req, res) => {
    const channel = await receivingChannelOf(channels, 'whatsapp', req.params['channelId']);
    verifyWhatsappSignature(channel, rawBodyOf(req), req.header('x-hub-signature-256'));
    const read = readWhatsappWebhook(parseOrThrow(whatsappWebhook, withStorableText(req.body), 'body'), channel.id, String(channel.settings['phoneNumberId']));
    if (read.skipped.length > 0) deps.logger.warn({ channelId: channel.id, skipped: read.skipped }, 'webhook parts skipped');
    res.json({ ...(await receiveWhatsappWebhook(deps, channel, read)), skipped: read.skipped });
  });

  // D29: does this number have WhatsApp? Asked before an operator starts an outgoing conversation.
  router.post('/internal/whatsapp/check', async (req, res) => {
    res.json(await checkWhatsappNumber(channels, parseOrThrow(whatsappCheckBody, req.body, 'body')));
  });

  return router;
}
