import { Router, type Response } from 'express';
import type { DataSource } from 'typeorm';
import type { OutboxRelay } from '@relaydesk/bus';
import { createChannelBody, patchChannelBody, uuid } from '@relaydesk/contracts';
import { AppError, identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { z } from 'zod';
import { channelView, createChannel, patchChannel } from '../domain/configure-channel';
import type { ChannelRepository } from '../store/channel.repository';

function requireSuperAdmin(res: Response): void {
  if (identityOf(res).role !== 'super_admin') throw new AppError('forbidden', 'Only a super_admin manages channels');
}

/** Channel administration behind the gateway (super_admin); secrets go in and never come out. */
export function channelRoutes(db: DataSource, relay: OutboxRelay, channels: ChannelRepository, publicUrl: string): Router {
  const router = Router();

  router.post('/channels', async (req, res) => {
    requireSuperAdmin(res);
    const channel = await createChannel(db, relay, channels, parseOrThrow(createChannelBody, req.body, 'body'));
    res.status(201).json(channelView(channel, publicUrl));
  });

  router.get('/channels', async (_req, res) => {
    requireSuperAdmin(res);
    res.json({ items: (await channels.all()).map((c) => channelView(c, publicUrl)) });
  });

  router.patch('/channels/:id', async (req, res) => {
    requireSuperAdmin(res);
    const { id } = parseOrThrow(z.object({ id: uuid }), req.params, 'path');
    const channel = await patchChannel(db, relay, channels, id, parseOrThrow(patchChannelBody, req.body, 'body'));
    res.json(channelView(channel, publicUrl));
  });

  return router;
}
