import { classifySendError, decideAfterFailure, retryDelayMs } from './retry-policy';

/** Errors as nodemailer makes them (smtp-connection `_formatError`). */
const smtpError = (message: string, code: string, response?: string) =>
  Object.assign(new Error(response ? `${message}: ${response}` : message), { code, ...(response ? { response, responseCode: Number(response.slice(0, 3)) } : {}) });

describe('retry classification', () => {
  it('D23: an SMTP 5xx is permanent, with the server\'s reason', () => {
    expect(classifySendError(smtpError("Can't send mail - all recipients were rejected", 'EENVELOPE', '550 5.1.1 <nobody@example.com>: no such user'))).toEqual({
      permanent: true,
      reason: '550 5.1.1 <nobody@example.com>: no such user',
    });
    expect(classifySendError(smtpError('Message failed', 'EMESSAGE', '554 5.6.0 message refused')).permanent).toBe(true);
    expect(classifySendError(smtpError('No recipients defined', 'EENVELOPE'))).toEqual({ permanent: true, reason: 'No recipients defined' });
  });

  it('D23: an SMTP 4xx, a refused connection, a timeout and anything unknown may pass later', () => {
    expect(classifySendError(smtpError('Message failed', 'EMESSAGE', '451 4.3.0 try again later'))).toEqual({ permanent: false, reason: '451 4.3.0 try again later' });
    expect(classifySendError(smtpError("Can't send mail - all recipients were rejected", 'EENVELOPE', '450 4.2.1 mailbox busy')).permanent).toBe(false);
    expect(classifySendError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1025'), { code: 'ESOCKET' }))).toEqual({ permanent: false, reason: 'connect ECONNREFUSED 127.0.0.1:1025' });
    expect(classifySendError(Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT' })).permanent).toBe(false);
    expect(classifySendError('odd').permanent).toBe(false);
  });
});

describe('back-off', () => {
  const policy = { delaysMs: [1_000, 5_000, 60_000], giveUpMs: 3_600_000 };
  const requestedAt = new Date('2026-03-12T10:00:00Z');

  it('D23: waits follow the schedule, then its last step repeats', () => {
    expect([1, 2, 3, 4, 10].map((n) => retryDelayMs(n, policy.delaysMs))).toEqual([1_000, 5_000, 60_000, 60_000, 60_000]);
  });

  it('D23: a passing failure is retried after the wait of its attempt', () => {
    const now = new Date('2026-03-12T10:00:10Z');
    expect(decideAfterFailure({ permanent: false, reason: '451' }, { attempts: 2, requestedAt }, policy, now)).toEqual({ retryAt: new Date('2026-03-12T10:00:15Z') });
  });

  it('D23: the last attempt is at the give-up time; a failure then fails the transcript', () => {
    const late = new Date('2026-03-12T10:59:30Z');
    expect(decideAfterFailure({ permanent: false, reason: '451' }, { attempts: 40, requestedAt }, policy, late)).toEqual({ retryAt: new Date('2026-03-12T11:00:00Z') });
    const past = decideAfterFailure({ permanent: false, reason: 'connect ECONNREFUSED' }, { attempts: 41, requestedAt }, policy, new Date('2026-03-12T11:00:00Z'));
    expect(past).toEqual({ failed: 'The mail server did not take the mail within 1 h (41 attempts); last error: connect ECONNREFUSED' });
  });

  it('D23: a permanent failure fails at once with the reason', () => {
    expect(decideAfterFailure({ permanent: true, reason: '550 no such user' }, { attempts: 1, requestedAt }, policy, requestedAt)).toEqual({ failed: 'The mail server refused the mail: 550 no such user' });
  });
});
