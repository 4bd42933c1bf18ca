import { buffer } from 'node:stream/consumers';
import type { DataSource } from 'typeorm';
import { BlobNotFoundError, InvalidBlobKeyError, type BlobStore } from '@relaydesk/blob-store';
import { derivedId, makeEnvelope, transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import type { TranscriptOutcome, TranscriptRequested } from '@relaydesk/contracts';
import type { Logger } from '@relaydesk/service-kit';
import { lockDueTranscriptJob, markTranscriptFailed, markTranscriptSent, rescheduleTranscriptJob } from '../store/transcript-job.repository';
import { envelopeProblem } from './check-envelope';
import type { Mailer, OutgoingMail } from './mailer';
import { chooseAttachments, renderTranscript, type TranscriptAttachment } from './render-transcript';
import { classifySendError, decideAfterFailure, type RetryPolicy, type SendFailure } from './retry-policy';

export type SendTranscriptDeps = {
  db: DataSource;
  relay: OutboxRelay;
  mailer: Mailer;
  blobs: BlobStore;
  logger: Logger;
  policy: RetryPolicy;
  /** The signed address of a file, which opens without logging in (D23). */
  linkOf: (attachmentId: string) => string;
  maxAttachmentBytes: number;
};

/** The same for every attempt, so a mail that did go out twice (see below) is recognisably one. */
export const mailMessageIdOf = (transcriptId: string): string => `<${transcriptId}@relaydesk>`;

/**
 * D23: sends the next due transcript, if there is one, and answers whether there was. The job's
 * row stays locked in this transaction while the SMTP server is talked to, so another replica
 * never sends it too, and a process killed mid-send leaves the job queued as it was: its lock
 * dies with its connection and the next attempt starts at once.
 *
 * One window remains (RFC 1047): the server took the mail but our commit did not happen (the
 * process or the database went away between the server's 250 and the commit). The job is then
 * sent again; the stable Message-ID lets mail systems and readers recognise the duplicate.
 */
export function sendNextTranscript(deps: SendTranscriptDeps): Promise<boolean> {
  return transactWithOutbox(deps.db, deps.relay, async (tx, emit) => {
    const job = await lockDueTranscriptJob(tx);
    if (!job) return false;
    const attempts = job.attempts + 1;
    const { transcriptId, conversationId } = job.request;
    const outcome = (type: 'transcript.sent' | 'transcript.failed', fields: Partial<TranscriptOutcome>) =>
      makeEnvelope(type, { transcriptId, conversationId, at: new Date().toISOString(), attempts, ...fields }, { source: 'notification', partitionKey: conversationId, id: derivedId(transcriptId, 'outcome') });

    const fail = async (error: string) => {
      await markTranscriptFailed(tx, transcriptId, attempts, error);
      emit([outcome('transcript.failed', { error })]);
    };

    const refused = envelopeProblem(job.request);
    if (refused) {
      await fail(refused);
      return true;
    }
    const sent = await trySending(job.request, deps);
    if ('refused' in sent) {
      const mailMessageId = mailMessageIdOf(transcriptId);
      await markTranscriptSent(tx, transcriptId, attempts, mailMessageId);
      emit([outcome('transcript.sent', { mailMessageId, ...(sent.refused.length > 0 ? { refusedRecipients: sent.refused } : {}) })]);
      return true;
    }
    const failure = sent;
    const decision = decideAfterFailure(failure, { attempts, requestedAt: job.requestedAt }, deps.policy, new Date());
    if ('retryAt' in decision) {
      deps.logger.warn({ transcriptId, attempts, reason: failure.reason, retryAt: decision.retryAt }, 'transcript not sent: retrying later');
      await rescheduleTranscriptJob(tx, transcriptId, attempts, failure.reason, decision.retryAt);
    } else {
      deps.logger.warn({ transcriptId, attempts, error: decision.failed }, 'transcript failed');
      await fail(decision.failed);
    }
    return true;
  });
}

/** The mail taken (`refused`: the recipients the server turned down meanwhile), or why not. */
async function trySending(request: TranscriptRequested, deps: SendTranscriptDeps): Promise<{ refused: string[] } | SendFailure> {
  try {
    const { rejected } = await deps.mailer.send(await composeMail(request, deps));
    if (rejected.length > 0) deps.logger.warn({ transcriptId: request.transcriptId, rejected }, 'transcript sent; the mail server refused some recipients');
    return { refused: rejected };
  } catch (error) {
    return classifySendError(error);
  }
}

async function composeMail(request: TranscriptRequested, deps: SendTranscriptDeps): Promise<OutgoingMail> {
  const files = await readAttachments(chooseAttachments(request.messages, deps.maxAttachmentBytes), deps.blobs);
  const { text, html } = renderTranscript(request, { attachedIds: new Set(files.map((f) => f.id)), linkOf: deps.linkOf });
  return {
    messageId: mailMessageIdOf(request.transcriptId),
    to: request.to,
    subject: request.subject,
    text,
    html,
    attachments: files.map((f) => ({ fileName: f.fileName, contentType: f.mimeType, content: f.content })),
  };
}

/** A file gone from the store (or under a key that cannot be one) is listed as a link instead. */
async function readAttachments(chosen: TranscriptAttachment[], blobs: BlobStore): Promise<(TranscriptAttachment & { content: Buffer })[]> {
  const files: (TranscriptAttachment & { content: Buffer })[] = [];
  for (const file of chosen) {
    try {
      files.push({ ...file, content: await buffer(await blobs.get(file.storageKey!)) });
    } catch (error) {
      if (!(error instanceof BlobNotFoundError || error instanceof InvalidBlobKeyError)) throw error;
    }
  }
  return files;
}
