import { Router } from 'express';
import { whatsappCheckBody } from '@relaydesk/contracts';
import { parseOrThrow } from '@relaydesk/service-kit';
import { checkWhatsappNumber } from '../domain/check-whatsapp-number';
import type { ChannelRepository } from '../store/channel.repository';

/** Internal routes of the WhatsApp adapter, behind the gateway's signed identity. */
export function whatsappRoutes(channels: ChannelRepository): Router {
  const router = Router();

  // D29: does this number have WhatsApp? Asked before an operator starts an outgoing conversation.
  router.post('/internal/whatsapp/check', async (req, res) => {
    res.json(await checkWhatsappNumber(channels, parseOrThrow(whatsappCheckBody, req.body, 'body')));
  });

  return router;
}
