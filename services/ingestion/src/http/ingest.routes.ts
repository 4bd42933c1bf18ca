import { Router, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type { Bus } from '@relaydesk/bus';
import { inboundMessage, uuid, webchatMessageBody, webchatSessionBody } from '@relaydesk/contracts';
import { AppError, parseOrThrow } from '@relaydesk/service-kit';
import { z } from 'zod';
import { acceptInbound } from '../domain/accept-inbound';
import { newVisitor, verifyVisitor } from '../domain/visitor-token';
import type { Channel, ChannelRepository } from '../store/channel.repository';

export type IngestDeps = { bus: Bus; redis: Redis; channels: ChannelRepository; visitorSecret: string; publicUrl: string };

const channelParams = z.object({ channelId: uuid });

/** The channel edge: custom connectors (API key) and the webchat widget (visitor token). */
export function ingestRoutes({ bus, redis, channels, visitorSecret, publicUrl }: IngestDeps): Router {
  const router = Router();
  const ownOrigin = new URL(publicUrl).origin;

  router.post('/ingest/v1/messages', async (req, res) => {
    const key = req.header('authorization')?.match(/^Bearer (.+)$/i)?.[1];
    const channel = key ? await channels.byApiKey(key) : undefined;
    if (!channel) throw new AppError('unauthorized', 'Send the API key of an api channel as a Bearer token');
    const message = parseOrThrow(inboundMessage, req.body, 'message');
    if (message.channelId !== channel.id || message.channel !== channel.type) {
      throw new AppError('forbidden', `This API key sends for channel ${channel.id} of type ${channel.type} only`);
    }
    res.json(await acceptInbound(bus, redis, message));
  });

  async function webchatChannel(req: Request, res: Response): Promise<Channel> {
    const { channelId } = parseOrThrow(channelParams, req.params, 'path');
    const channel = await channels.byId(channelId);
    if (!channel || channel.type !== 'webchat') throw new AppError('not_found', 'No such webchat channel');
    const origin = req.header('origin');
    const allowed = [ownOrigin, ...((channel.settings['allowedOrigins'] as string[]) ?? []).map((o) => new URL(o).origin)];
    if (origin !== undefined) {
      if (!allowed.includes(origin)) throw new AppError('forbidden', `Origin ${origin} may not use this webchat channel`);
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    return channel;
  }

  router.options('/ingest/v1/webchat/:channelId/{*rest}', async (req, res) => {
    await webchatChannel(req, res);
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  });

  router.post('/ingest/v1/webchat/:channelId/sessions', async (req, res) => {
    const channel = await webchatChannel(req, res);
    const { name } = parseOrThrow(webchatSessionBody, req.body, 'body');
    const visitor = newVisitor(channel.id, name, visitorSecret);
    res.status(201).json({ visitorId: visitor.visitorId, token: visitor.token });
  });

  router.post('/ingest/v1/webchat/:channelId/messages', async (req, res) => {
    const channel = await webchatChannel(req, res);
    const visitor = verifyVisitor(req.header('authorization'), channel.id, visitorSecret);
    const body = parseOrThrow(webchatMessageBody, req.body, 'body');
    const accepted = await acceptInbound(bus, redis, {
      channel: 'webchat',
      channelId: channel.id,
      externalClientId: visitor.visitorId,
      clientName: visitor.name,
      externalMessageId: `${visitor.visitorId}:${body.clientMessageId}`,
      sentAt: new Date().toISOString(),
      text: body.text,
    });
    res.status(202).json(accepted);
  });

  return router;
}
