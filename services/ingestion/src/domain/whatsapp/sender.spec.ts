import { WhatsappStandIn } from '@relaydesk/testing';
import type { Channel } from '../../store/channel.repository';
import { CAPTION_MAX, TEXT_MAX, WhatsappSender } from './sender';

describe('WhatsappSender against the Cloud API stand-in', () => {
  const accessToken = 'sender-spec-token';
  let standIn: WhatsappStandIn;
  let channel: Channel;
  const sender = new WhatsappSender();
  const message = (text?: string) => ({ messageId: '0194f3a2-7c1e-7d3a-9b2e-3f4a5b6c7d8e', channel: 'whatsapp' as const, channelId: '0194f3a2-7c1e-7d3a-9b2e-000000000001', externalClientId: '4915112345678', ...(text ? { text } : {}) });
  const pdf = { bytes: Buffer.from('%PDF-1.4 a pdf'), fileName: 'Angebot.pdf', mimeType: 'application/pdf' };
  const bodies = () => standIn.sentMessages().map((m) => (m['text'] as { body: string } | undefined)?.body ?? m.type);

  beforeAll(async () => {
    standIn = await WhatsappStandIn.start({ accessToken });
    channel = { id: 'c', type: 'whatsapp', name: 'WA', groupId: 'g', enabled: true, settings: { phoneNumberId: '1001', accessToken, apiBaseUrl: standIn.apiBaseUrl } };
  });
  afterAll(() => standIn.stop());
  beforeEach(() => standIn.requests.splice(0));

  it('D15, D20: a text goes as one text message, and the answer’s wamid is the platform id', async () => {
    const sent = await sender.send(channel, message('Guten Tag 👋'), undefined);
    expect(bodies()).toEqual(['Guten Tag 👋']);
    expect(sent.externalMessageId).toBe(standIn.sentMessages()[0]!.wamid);
  });

  it('D15: a text longer than WhatsApp takes (4096) goes in parts, in order, cut between words; the last part’s id stands for it', async () => {
    const words = Array.from({ length: 1100 }, (_, i) => `word${i}`).join(' '); // 8,789 characters
    const sent = await sender.send(channel, message(words), undefined);
    const parts = bodies();
    expect(parts.length).toBe(3);
    expect(parts.every((p) => p.length <= TEXT_MAX)).toBe(true);
    expect(parts.join(' ')).toBe(words);
    expect(sent.externalMessageId).toBe(standIn.sentMessages().at(-1)!.wamid);
  });

  it('D15: a file with a text too long for its caption: the text first, in parts when it must, then the file alone', async () => {
    const long = 'x'.repeat(TEXT_MAX + CAPTION_MAX);
    await sender.send(channel, message(long), pdf);
    expect(bodies()).toEqual(['x'.repeat(TEXT_MAX), 'x'.repeat(CAPTION_MAX), 'document']);
    expect(standIn.sentMessages().at(-1)!['document']).toEqual(expect.not.objectContaining({ caption: expect.anything() }));
  });

  it('the stand-in refuses a text over 4096 characters, as the Cloud API does', async () => {
    const answer = await fetch(`${standIn.apiBaseUrl}/1001/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to: '4915112345678', type: 'text', text: { body: 'x'.repeat(TEXT_MAX + 1) } }),
    });
    expect(answer.status).toBe(400);
  });
});
