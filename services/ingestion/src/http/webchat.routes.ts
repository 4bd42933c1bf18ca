import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { sendBlob, type BlobStore } from '@relaydesk/blob-store';
import { fileAccept, uuid, webchatMessageBody, webchatSessionBody } from '@relaydesk/contracts';
import { AppError, FixedWindows, parseOrThrow, RateLimitedError, type Limit } from '@relaydesk/service-kit';
import { z } from 'zod';
import { channelOf, chatClosedForNow, checkOrigin, originAllowed } from '../domain/channel-access';
import { sendVisitorMessage } from '../domain/webchat-send-message';
import { newVisitor, verifyVisitor, type Visitor } from '../domain/visitor-token';
import type { Channel } from '../store/channel.repository';
import { decodeCursor, type WebchatRepository } from '../store/webchat.repository';
import type { IngestDeps } from './ingest.routes';
import { sendVisitorFile } from './webchat-upload';

export type WebchatDeps = IngestDeps & { webchat: WebchatRepository; blobs: BlobStore };

const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});
const attachmentParams = z.object({ channelId: uuid, messageId: uuid });
const tokenQuery = z.object({ token: z.string().max(4096).optional() });

/**
 * The widget is public: these bound what one address, or one visitor, can pour into the operators'
 * Unassigned tab. A person starts a chat once per browser and types far below these rates.
 */
const visitorLimits = {
  sessionsPerAddress: { max: 20, windowSeconds: 10 * 60 },
  messagesPerVisitor: { max: 30, windowSeconds: 60 },
  messagesPerAddress: { max: 120, windowSeconds: 60 },
} satisfies Record<string, Limit>;

/** The widget's files: beside the sources, or beside the bundle when built (dist/ingestion/static). */
function readStatic(name: string): string | undefined {
  for (const dir of [path.join(__dirname, '..', '..', 'static'), path.join(__dirname, 'static')]) {
    try {
      return readFileSync(path.join(dir, name), 'utf8');
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/** The webchat widget's side of ingestion: its script, sessions, messages, history and files (API.md). */
export function webchatRoutes(deps: WebchatDeps): Router {
  const router = Router();
  const ownOrigin = new URL(deps.publicUrl).origin;
  const widget = readStatic('webchat-widget.js')?.replace('{{accept}}', fileAccept('webchat'));
  const demoPage = readStatic('webchat-demo.html');
  const windows = new FixedWindows(deps.redis);

  async function limit(windowsOf: [string, Limit][], message: string): Promise<void> {
    const wait = await windows.hitAll(windowsOf);
    if (wait) throw new RateLimitedError(wait, message);
  }

  /**
   * The channel of the path, for a page whose Origin it allows; CORS answers name that origin.
   * A switched-off channel is refused after those headers, so the widget can read and show why.
   */
  async function webchatChannel(req: Request, res: Response, { evenSwitchedOff = false } = {}): Promise<Channel> {
    const channel = await channelOf(deps.channels, 'webchat', req.params['channelId']);
    const origin = req.header('origin');
    checkOrigin(channel, origin, ownOrigin);
    if (origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition');
    }
    res.setHeader('Vary', 'Origin');
    if (!channel.enabled && !evenSwitchedOff) throw new AppError('forbidden', chatClosedForNow);
    return channel;
  }

  /** The visitor of a token sent as `Authorization: Bearer` or, for a plain link, `?token=`. */
  function visitorOf(req: Request, channel: Channel): Visitor {
    const { token } = parseOrThrow(tokenQuery, req.query, 'query');
    return verifyVisitor(req.header('authorization') ?? token, channel.id, deps.visitorSecret);
  }

  router.get('/ingest/v1/webchat/widget.js', (_req, res) => {
    if (widget === undefined) throw new AppError('not_found', 'The webchat widget is not part of this build');
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.send(widget);
  });

  /**
   * The one question any page may ask, so the widget on a page its chat does not allow can say why
   * nothing else answers it: the browser hides every refusal that lacks this page's CORS headers.
   */
  router.get('/ingest/v1/webchat/:channelId/availability', async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    const channel = await channelOf(deps.channels, 'webchat', req.params['channelId']);
    if (!originAllowed(channel, req.header('origin'), ownOrigin)) res.json({ available: false, originAllowed: false, reason: 'This chat is not available on this site' });
    else res.json(channel.enabled ? { available: true, originAllowed: true } : { available: false, originAllowed: true, reason: chatClosedForNow });
  });

  router.options('/ingest/v1/webchat/:channelId/{*rest}', async (req, res) => {
    await webchatChannel(req, res, { evenSwitchedOff: true });
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  });

  router.post('/ingest/v1/webchat/:channelId/sessions', async (req, res) => {
    const channel = await webchatChannel(req, res);
    const { name } = parseOrThrow(webchatSessionBody, req.body, 'body');
    await limit([[`webchat:sessions:${channel.id}:${req.ip}`, visitorLimits.sessionsPerAddress]], 'Too many new chats from this address');
    const visitor = newVisitor(channel.id, name, deps.visitorSecret);
    res.status(201).json({ visitorId: visitor.visitorId, token: visitor.token });
  });

  // JSON {text, clientMessageId}, or multipart with one file (D15, see sendVisitorFile): an upload counts as a message.
  router.post('/ingest/v1/webchat/:channelId/messages', async (req, res) => {
    const channel = await webchatChannel(req, res);
    const visitor = verifyVisitor(req.header('authorization'), channel.id, deps.visitorSecret);
    const body = req.is('multipart/form-data') ? undefined : parseOrThrow(webchatMessageBody, req.body, 'body');
    await limit(
      [
        [`webchat:messages:${channel.id}:${visitor.visitorId}`, visitorLimits.messagesPerVisitor],
        [`webchat:messages:${channel.id}:from:${req.ip}`, visitorLimits.messagesPerAddress],
      ],
      'Too many messages at once',
    );
    res.status(202).json(body ? await sendVisitorMessage(deps, visitor, body) : await sendVisitorFile(req, res, deps, visitor));
  });

  router.get('/ingest/v1/webchat/:channelId/messages', async (req, res) => {
    const channel = await webchatChannel(req, res);
    const visitor = verifyVisitor(req.header('authorization'), channel.id, deps.visitorSecret);
    const { limit, cursor } = parseOrThrow(historyQuery, req.query, 'query');
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !before) throw new AppError('validation_failed', 'cursor is not one this API gave', [{ path: 'cursor', message: 'not a cursor of this list' }]);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await deps.webchat.history(visitor, limit, before));
  });

  router.get('/ingest/v1/webchat/:channelId/stream', () => {
    throw new AppError('upgrade_required', 'GET /ingest/v1/webchat/:channelId/stream is a WebSocket: connect with Upgrade: websocket and ?token=<visitor token>');
  });

  router.get('/ingest/v1/webchat/:channelId/attachments/:messageId', async (req, res) => {
    const channel = await webchatChannel(req, res);
    const visitor = visitorOf(req, channel);
    const { messageId } = parseOrThrow(attachmentParams, req.params, 'path');
    const attachment = await deps.webchat.attachmentOf(visitor, messageId);
    if (!attachment) throw new AppError('not_found', 'No such file for this visitor');
    // A connector's file that was never copied to us stays at its own address.
    if (!attachment.storageKey) return res.redirect(302, attachment.url!);
    await sendBlob(res, deps.blobs, { ...attachment, storageKey: attachment.storageKey });
  });

  router.get('/ingest/v1/webchat/:channelId/demo', async (req, res) => {
    const channel = await webchatChannel(req, res);
    if (demoPage === undefined) throw new AppError('not_found', 'The webchat demo page is not part of this build');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.send(demoPage.replaceAll('{{channelId}}', channel.id));
  });

  return router;
}
