import { Router, type RequestHandler, type Response } from 'express';
import { outgoingCheckBody, startOutgoingBody, type WhatsappCheckAnswer } from '@relaydesk/contracts';
import { AppError, parseOrThrow } from '@relaydesk/service-kit';
import type { GatewayConfig } from '../config';
import { requireKnownGroups } from '../domain/require-known-groups';
import type { Directory } from '../store/directory';
import { callerOf, type Caller } from './authenticate';
import type { Item, Names } from './names';
import { idempotencyHeaders, reply, succeeded, type ServiceClient } from './service-client';

export type OutgoingDeps = {
  config: Pick<GatewayConfig, 'FEATURE_OUTGOING_WHATSAPP'>;
  ingestion: ServiceClient;
  conversation: ServiceClient;
  directory: Directory;
};

/** D29 + D3: the group of an outgoing conversation: one of the caller's (any for a super_admin). */
async function groupFor(deps: OutgoingDeps, caller: Caller, groupId: string | undefined, channelGroupId: string): Promise<string> {
  if (groupId) {
    if (caller.role === 'super_admin') return (await requireKnownGroups(deps.directory, [groupId], 'groupId'))[0]!;
    if (!caller.groupIds.includes(groupId)) throw new AppError('forbidden', 'groupId must be one of your groups');
    return groupId;
  }
  if (caller.groupIds.length === 1) return caller.groupIds[0]!;
  if (caller.groupIds.length > 1) throw new AppError('validation_failed', 'Invalid body: groupId: required, since you are in several groups', [{ path: 'groupId', message: 'required, since you are in several groups' }]);
  return channelGroupId;
}

/** D29: outgoing WhatsApp conversations, a paid feature: 404 unless the installation switched it on. */
export function outgoingRoutes(deps: OutgoingDeps, requireCaller: RequestHandler, names: Names): Router {
  const router = Router();
  const requireFeature: RequestHandler = (_req, _res, next) => {
    if (!deps.config.FEATURE_OUTGOING_WHATSAPP) throw new AppError('not_found', 'Not found');
    next();
  };

  async function check(res: Response, phone: string): Promise<WhatsappCheckAnswer | undefined> {
    const answer = await deps.ingestion.call(res, 'POST', '/internal/whatsapp/check', { phone });
    if (!succeeded(answer)) {
      reply(res, answer);
      return undefined;
    }
    return answer.body as WhatsappCheckAnswer;
  }

  router.post('/outgoing/check', requireFeature, requireCaller, async (req, res) => {
    const { phone } = parseOrThrow(outgoingCheckBody, req.body, 'body');
    const checked = await check(res, phone);
    if (!checked) return;
    if (!checked.hasWhatsApp || !checked.waId) return void res.json({ phone: checked.phone, hasWhatsApp: checked.hasWhatsApp, existingClient: null });
    // Who the number already is, so the dialog says so before the operator writes a word.
    const known = await deps.conversation.call(res, 'GET', `/outgoing/client?channelId=${checked.channelId}&externalClientId=${checked.waId}`);
    if (!succeeded(known)) return reply(res, known);
    res.json({ phone: checked.phone, hasWhatsApp: true, existingClient: (known.body as { existing: unknown }).existing });
  });

  router.post('/outgoing', requireFeature, requireCaller, async (req, res) => {
    const caller = callerOf(res);
    const body = parseOrThrow(startOutgoingBody, req.body, 'body');
    // A group the caller may not use is refused before the channel is asked anything.
    if (body.groupId && caller.role !== 'super_admin' && !caller.groupIds.includes(body.groupId)) throw new AppError('forbidden', 'groupId must be one of your groups');
    const checked = await check(res, body.phone);
    if (!checked) return;
    if (!checked.hasWhatsApp || !checked.waId) throw new AppError('unprocessable', `${body.phone} has no WhatsApp: an outgoing conversation needs a number with WhatsApp`);
    const groupId = await groupFor(deps, caller, body.groupId, checked.groupId);
    const answer = await deps.conversation.call(res, 'POST', '/outgoing', {
      channelId: checked.channelId,
      externalClientId: checked.waId,
      phone: checked.phone,
      clientName: body.clientName,
      text: body.text,
      groupId,
    }, idempotencyHeaders(req));
    if (!succeeded(answer)) return reply(res, answer);
    const replayed = answer.headers.get('idempotent-replayed');
    if (replayed) res.setHeader('Idempotent-Replayed', replayed);
    const [item] = await names.items([answer.body as Item], caller);
    reply(res, answer, item);
  });

  return router;
}
