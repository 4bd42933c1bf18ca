import { Router, type RequestHandler } from 'express';
import type { BlobStore } from '@relaydesk/blob-store';
import { assignBody, changeGroupBody, sendMessageBody } from '@relaydesk/contracts';
import { AppError, parseOrThrow } from '@relaydesk/service-kit';
import { mayAssignTo } from '../domain/may-assign-to';
import { requireKnownGroups } from '../domain/require-known-groups';
import type { Directory } from '../store/directory';
import type { OperatorRepository } from '../store/operator.repository';
import type { PendingUploads } from '../store/pending-uploads';
import { AttachmentUploads } from './attachment-upload';
import { callerOf } from './authenticate';
import type { Item, LogItem, MessageItem, Names } from './names';
import { idempotencyHeaders, reply, succeeded, type ServiceAnswer, type ServiceClient } from './service-client';

/** The conversation workspace (API.md "Conversations"): rules live in the conversation service. */
export function conversationRoutes(
  deps: { conversation: ServiceClient; directory: Directory; operators: Pick<OperatorRepository, 'findById'>; blobs: BlobStore; pendingUploads: PendingUploads },
  requireCaller: RequestHandler,
  names: Names,
): Router {
  const router = Router();
  const service = deps.conversation;
  const uploads = new AttachmentUploads(deps.blobs, deps.pendingUploads, service);

  router.get('/conversations', requireCaller, async (req, res) => {
    const answer = await service.forward(req, res);
    if (!succeeded(answer)) return reply(res, answer);
    const page = answer.body as { items: Item[]; nextCursor: string | null };
    reply(res, answer, { ...page, items: await names.items(page.items, callerOf(res)) });
  });

  /** D7: a lost take names who won it, as the stream names him to whoever saw the conversation go. */
  const withTaker = async (answer: ServiceAnswer): Promise<unknown> => {
    const error = (answer.body as { error?: { code: string; message: string; details?: { path: string; message: string }[] } } | undefined)?.error;
    const takerId = answer.status === 409 ? error?.details?.find((d) => d.path === 'assigneeId')?.message : undefined;
    if (!error || !takerId) return answer.body;
    const name = (await names.operators([takerId])).get(takerId) ?? null;
    return { error: { code: error.code, message: `${name ?? 'Another operator'} has already taken this conversation`, takenBy: { id: takerId, name } } };
  };

  const oneItem: RequestHandler = async (req, res) => {
    const answer = await service.forward(req, res, req.method === 'POST' ? (req.body ?? {}) : undefined);
    if (!succeeded(answer)) return reply(res, answer, await withTaker(answer));
    const [item] = await names.items([answer.body as Item], callerOf(res));
    reply(res, answer, item);
  };
  router.get('/conversations/:id', requireCaller, oneItem);
  for (const move of ['take', 'close', 'unassign', 'reopen', 'blacklist']) router.post(`/conversations/:id/${move}`, requireCaller, oneItem);
  router.delete('/conversations/:id/blacklist', requireCaller, oneItem);

  // D21: the gateway owns groups, so it checks that the target shares one with the caller.
  router.post('/conversations/:id/assign', requireCaller, async (req, res, next) => {
    const { operatorId } = parseOrThrow(assignBody, req.body, 'body');
    const target = await deps.operators.findById(operatorId);
    if (!target) throw new AppError('validation_failed', 'No such operator', [{ path: 'operatorId', message: 'names no operator' }]);
    if (!target.active) throw new AppError('conflict', `${target.name} has been deactivated and cannot take conversations`);
    if (!mayAssignTo(callerOf(res), target)) throw new AppError('forbidden', 'You may only assign to operators who share one of your groups');
    await oneItem(req, res, next);
  });

  router.post('/conversations/:id/group', requireCaller, async (req, res, next) => {
    await requireKnownGroups(deps.directory, [parseOrThrow(changeGroupBody, req.body, 'body').groupId], 'groupId');
    await oneItem(req, res, next);
  });

  router.post('/conversations/:id/notes', requireCaller, async (req, res) => {
    const answer = await service.forward(req, res, req.body, idempotencyHeaders(req));
    if (!succeeded(answer)) return reply(res, answer);
    const [note] = await names.messages([answer.body as MessageItem]);
    const replayed = answer.headers.get('idempotent-replayed');
    if (replayed) res.setHeader('Idempotent-Replayed', replayed);
    reply(res, answer, note);
  });

  router.get('/conversations/:id/messages', requireCaller, async (req, res) => {
    const answer = await service.forward(req, res);
    if (!succeeded(answer)) return reply(res, answer);
    const page = answer.body as { items: MessageItem[] };
    reply(res, answer, { ...page, items: await names.messages(page.items) });
  });

  // D15: JSON {text}, or multipart with one file and an optional text (see AttachmentUploads).
  router.post('/conversations/:id/messages', requireCaller, async (req, res) => {
    const idempotency = idempotencyHeaders(req);
    const upload = req.is('multipart/form-data') ? await uploads.receive(req, res, idempotency) : undefined;
    const body = upload ?? parseOrThrow(sendMessageBody, req.body, 'body');
    const answer = await service.forward(req, res, body, idempotency);
    const replayed = answer.headers.get('idempotent-replayed');
    // A refused send (4xx) holds no file, and a replay answers the first message with its own file:
    // then this upload's blob belongs to no message and is deleted. After a 5xx or no answer at all
    // it stays pending, since the message may have been stored with it: the sweep asks later.
    if (upload && (replayed || (answer.status >= 400 && answer.status < 500))) await uploads.discard(upload.attachment);
    else if (upload && succeeded(answer)) await uploads.held(upload.attachment);
    if (!succeeded(answer)) return reply(res, answer);
    if (replayed) res.setHeader('Idempotent-Replayed', replayed);
    const [message] = await names.messages([answer.body as MessageItem]);
    reply(res, answer, message);
  });

  router.post('/conversations/:id/read', requireCaller, async (req, res) => {
    reply(res, await service.forward(req, res, req.body ?? {}));
  });

  router.get('/conversations/:id/log', requireCaller, async (req, res) => {
    const answer = await service.forward(req, res);
    if (!succeeded(answer)) return reply(res, answer);
    const page = answer.body as { items: LogItem[]; nextCursor: string | null };
    reply(res, answer, { ...page, items: await names.log(page.items) });
  });

  return router;
}
