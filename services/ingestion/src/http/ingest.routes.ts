import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Bus } from '@relaydesk/bus';
import { connectorMessage, hasVisibleText } from '@relaydesk/contracts';
import { AppError, parseOrThrow } from '@relaydesk/service-kit';
import { acceptInbound } from '../domain/accept-inbound';
import { refuseDisabled } from '../domain/channel-access';
import type { ChannelRepository } from '../store/channel.repository';

/** What the channel edge's routes need: these and the webchat widget's (webchat.routes.ts). */
export type IngestDeps = { bus: Bus; redis: Redis; channels: ChannelRepository; visitorSecret: string; publicUrl: string };

/** The channel edge for custom connectors: their messages, sent with the API key of an `api` channel. */
export function ingestRoutes({ bus, redis, channels }: IngestDeps): Router {
  const router = Router();

  router.post('/ingest/v1/messages', async (req, res) => {
    const key = req.header('authorization')?.match(/^Bearer (.+)$/i)?.[1];
    const channel = key ? await channels.byApiKey(key) : undefined;
    if (!channel) throw new AppError('unauthorized', 'Send the API key of an api channel as a Bearer token');
    const message = parseOrThrow(connectorMessage, req.body, 'message');
    // A platform's blank text is the client's and is kept; a connector's is a mistake (D33).
    if (message.text !== undefined && !message.attachment && !hasVisibleText(message.text)) {
      throw new AppError('validation_failed', 'A message needs text that shows something, or an attachment', [{ path: 'text', message: 'must not be blank' }]);
    }
    if (message.channelId !== channel.id || message.channel !== channel.type) {
      throw new AppError('forbidden', `This API key sends for channel ${channel.id} of type ${channel.type} only`);
    }
    refuseDisabled(channel);
    res.json(await acceptInbound(bus, redis, message));
  });

  return router;
}
