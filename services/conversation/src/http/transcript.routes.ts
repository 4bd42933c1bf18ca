import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { OutboxRelay } from '@relaydesk/bus';
import { conversationIdParams, namedTranscriptBody } from '@relaydesk/contracts';
import { AppError, identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { canSee } from '../domain/conversation-rules';
import { requestTranscript } from '../domain/request-transcript';
import { findConversation } from '../store/conversation.repository';
import { findTranscript } from '../store/transcript.repository';
import { transcriptView } from './views';

/** D23: a mail of the conversation is asked for here and its status read back. */
export function transcriptRoutes(db: DataSource, relay: OutboxRelay): Router {
  const router = Router();

  router.post('/conversations/:id/transcript', async (req, res) => {
    const { id } = parseOrThrow(conversationIdParams, req.params, 'path');
    const body = parseOrThrow(namedTranscriptBody, req.body, 'body');
    res.status(202).json(transcriptView(await requestTranscript(db, relay, identityOf(res), id, body)));
  });

  // Whoever may open the conversation may see how its mail went (D34: otherwise it does not exist).
  router.get('/transcripts/:id', async (req, res) => {
    const { id } = parseOrThrow(conversationIdParams, req.params, 'path');
    const transcript = await findTranscript(db.manager, id);
    const conv = transcript && (await findConversation(db.manager, transcript.conversationId));
    if (!transcript || !conv || !canSee(identityOf(res), conv)) throw new AppError('not_found', 'No such transcript');
    res.json(transcriptView(transcript));
  });

  return router;
}
