import type { DataSource } from 'typeorm';
import { Consumer, expectEach, isType, type Bus } from '@relaydesk/bus';
import { exchanges } from '@relaydesk/contracts';
import { queueTranscriptJob } from '../store/transcript-job.repository';

/**
 * D23: queues each requested transcript for the sender. No inbox: the transcript id is the job's
 * key, so a redelivered (or replayed) request changes nothing.
 */
export function transcriptRequestedConsumer(bus: Bus, db: DataSource, onQueued: () => void): Consumer {
  const name = 'notification.transcripts';
  return new Consumer(bus, {
    name,
    bindings: [{ exchange: exchanges.events, pattern: 'transcript.requested' }],
    handle: async (messages) => {
      const requests = expectEach(messages, isType('transcript.requested'), name).map((m) => m.payload);
      await db.transaction(async (tx) => {
        for (const request of requests) await queueTranscriptJob(tx, request);
      });
      onQueued();
    },
  });
}
