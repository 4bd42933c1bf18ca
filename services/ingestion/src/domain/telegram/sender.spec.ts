import { TelegramStandIn } from '@relaydesk/testing';
import type { Channel } from '../../store/channel.repository';
import { SendFailure } from '../platform-call';
import { readTelegramError } from './bot-api';
import { splitText } from '../split-text';
import { CAPTION_MAX, TelegramSender, TEXT_MAX } from './sender';

describe('TelegramSender against the Bot API stand-in', () => {
  const botToken = '123456:sender-spec-token';
  let standIn: TelegramStandIn;
  let channel: Channel;
  const sender = new TelegramSender();
  const message = (text?: string) => ({ messageId: '0194f3a2-7c1e-7d3a-9b2e-3f4a5b6c7d8e', channel: 'telegram' as const, channelId: '0194f3a2-7c1e-7d3a-9b2e-000000000001', externalClientId: '987654321', ...(text ? { text } : {}) });
  const pdf = { bytes: Buffer.from('%PDF-1.4 a pdf'), fileName: 'Angebot №1.pdf', mimeType: 'application/pdf' };
  const png = { bytes: Buffer.from('\x89PNG fake'), fileName: 'plan.png', mimeType: 'image/png' };

  beforeAll(async () => {
    standIn = await TelegramStandIn.start({ botToken });
    channel = { id: 'c', type: 'telegram', name: 'Bot', groupId: 'g', enabled: true, settings: { botToken, secretToken: 'secret', apiBaseUrl: `${standIn.apiBaseUrl}/` } };
  });
  afterAll(() => standIn.stop());
  beforeEach(() => standIn.requests.splice(0));

  it('D15, D20: a text goes by sendMessage to the chat, and the answer’s message_id is the platform id', async () => {
    const sent = await sender.send(channel, message('Guten Tag 👋'), undefined);
    expect(standIn.requestsTo('sendMessage')).toEqual([expect.objectContaining({ httpMethod: 'POST', token: botToken, params: { chat_id: '987654321', text: 'Guten Tag 👋' }, status: 200 })]);
    expect(sent.externalMessageId).toMatch(/^\d+$/);
  });

  it('D15: an image goes by sendPhoto and any other file by sendDocument, as multipart with the text as caption', async () => {
    await sender.send(channel, message('Here is the plan'), png);
    await sender.send(channel, message(), pdf);
    const [photo] = standIn.requestsTo('sendPhoto');
    expect(photo).toMatchObject({ params: { chat_id: '987654321', caption: 'Here is the plan' }, files: [{ field: 'photo', fileName: 'plan.png', mimeType: 'image/png', bytes: png.bytes }] });
    const [document] = standIn.requestsTo('sendDocument');
    expect(document!.params).toEqual({ chat_id: '987654321' });
    expect(document!.files).toEqual([{ field: 'document', fileName: 'Angebot №1.pdf', mimeType: 'application/pdf', bytes: pdf.bytes }]);
  });

  it('D15: a text too long for a caption goes first by sendMessage, then the file without caption', async () => {
    const long = 'x'.repeat(CAPTION_MAX + 1);
    await sender.send(channel, message(long), pdf);
    expect(standIn.requests.map((r) => r.method)).toEqual(['sendMessage', 'sendDocument']);
    expect(standIn.requestsTo('sendMessage')[0]!.params['text']).toBe(long);
    expect(standIn.requestsTo('sendDocument')[0]!.params['caption']).toBeUndefined();
  });

  it('a text longer than a Telegram message goes in several, in order', async () => {
    const text = `${'a'.repeat(3000)} ${'b'.repeat(3000)} ${'c'.repeat(3000)}`;
    await sender.send(channel, message(text), undefined);
    expect(standIn.requestsTo('sendMessage').map((r) => r.params['text'])).toEqual(['a'.repeat(3000), 'b'.repeat(3000), 'c'.repeat(3000)]);
  });

  it('429 is a failure worth retrying after retry_after; 5xx too; 403 and 400 are permanent with Telegram’s description', async () => {
    const failure = async (status: number, description?: string, retryAfter?: number) => {
      standIn.failNext('sendMessage', { status, ...(description ? { description } : {}), ...(retryAfter ? { retryAfter } : {}) });
      return sender.send(channel, message('hi'), undefined).then(
        () => undefined,
        (error: unknown) => error,
      );
    };
    expect(await failure(429, 'Too Many Requests: retry after 7', 7)).toEqual(new SendFailure('retry', '429', 'Too Many Requests: retry after 7', 7000));
    expect(await failure(502)).toMatchObject({ kind: 'retry', code: '502' });
    expect(await failure(403, 'Forbidden: bot was blocked by the user')).toMatchObject({ kind: 'permanent', code: '403', title: 'Forbidden: bot was blocked by the user' });
    expect(await failure(400, 'Bad Request: chat not found')).toMatchObject({ kind: 'permanent', title: 'Bad Request: chat not found' });
  });

  it('a wrong bot token is a permanent failure, "Unauthorized"', async () => {
    const wrong = { ...channel, settings: { ...channel.settings, botToken: '123456:wrong' } };
    await expect(sender.send(wrong, message('hi'), undefined)).rejects.toMatchObject({ kind: 'permanent', code: '401', title: 'Unauthorized' });
  });
});

describe('splitText', () => {
  it('keeps a short text whole and cuts a long one at a line break or space, each part within the limit', () => {
    expect(splitText('short', TEXT_MAX)).toEqual(['short']);
    expect(splitText('one two\nthree four', 12)).toEqual(['one two', 'three four']);
    expect(splitText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('D20: never cuts an emoji in half', () => {
    const parts = splitText('abc😀def', 4);
    expect(parts).toEqual(['abc', '😀de', 'f']);
    expect(parts.join('')).toBe('abc😀def');
  });
});

describe('readTelegramError', () => {
  it('reads error_code, description and retry_after in seconds; falls back on the HTTP status', () => {
    expect(readTelegramError(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } })).toEqual({ code: '429', title: 'Too Many Requests: retry after 3', retryAfterMs: 3000 });
    expect(readTelegramError(502, undefined)).toEqual({ code: '502', title: 'The Telegram Bot API answered HTTP 502' });
  });
});
