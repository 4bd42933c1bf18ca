import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@relaydesk/testing';
import { mailMessageIdOf } from '../src/domain/send-transcript';
import { MailStand, transcriptMessage, transcriptRequest } from './mail-fixture';

/** D23: "retried until the SMTP server takes it", and never twice, whatever dies on the way. */
describe('transcript mail through outages', () => {
  let stand: MailStand;

  beforeAll(async () => {
    stand = await MailStand.open({ MAIL_RETRY_DELAYS_MS: '500,1000,2000' });
  }, 60_000);

  afterAll(async () => {
    await stand?.close();
  });

  it('D23: the SMTP server is down for 30 s, then up → exactly one mail, transcript.sent', async () => {
    await stand.smtp.down();
    const request = transcriptRequest([transcriptMessage('sent when the server is back')]);
    await stand.request(request);
    await sleep(30_000);
    expect(stand.outcomes.of(request.transcriptId)).toEqual([]);
    await stand.smtp.up();
    const outcome = await stand.outcomes.outcome(request.transcriptId);
    expect(outcome.type).toBe('transcript.sent');
    expect(outcome.payload.attempts).toBeGreaterThan(5);
    await sleep(1_000);
    expect(stand.smtp.mailsWithId(mailMessageIdOf(request.transcriptId))).toHaveLength(1);
    expect(stand.outcomes.of(request.transcriptId)).toHaveLength(1);
  }, 90_000);

  it('D23: the service is SIGKILLed while the SMTP server stalls the DATA phase, then restarted → exactly one mail', async () => {
    stand.smtp.stallData = true;
    const request = transcriptRequest([transcriptMessage('survives a crash')]);
    await stand.request(request);
    await waitFor('DATA stalled', () => stand.smtp.stalled === 1);
    await stand.service.kill();
    stand.smtp.stallData = false;
    await stand.startService();
    const outcome = await stand.outcomes.outcome(request.transcriptId);
    expect(outcome).toMatchObject({ type: 'transcript.sent', payload: { attempts: 1 } });
    await sleep(1_000);
    expect(stand.smtp.mailsWithId(mailMessageIdOf(request.transcriptId))).toHaveLength(1);
    expect(stand.smtp.stalled).toBe(1);
    expect(stand.outcomes.of(request.transcriptId)).toHaveLength(1);
  }, 60_000);
});
