import { messageCatalogue } from '../catalogue';

const message = (attachment: Record<string, unknown>) => ({
  channel: 'api',
  channelId: '0193a1f2-7c4e-7b8a-9d10-4c2e8f6a1b3d',
  externalClientId: 'customer-4711',
  clientName: 'Zoë',
  externalMessageId: 'msg-1',
  sentAt: '2026-12-07T10:00:00.000Z',
  attachment: { fileName: 'a.pdf', mimeType: 'application/pdf', size: 1, ...attachment },
});

describe('a client file on the bus', () => {
  it("D15: a connector's inbound.api names its file by a web address, never by a key of Relaydesk's store", () => {
    expect(messageCatalogue['inbound.api'].safeParse(message({ url: 'https://files.example/a.pdf' })).success).toBe(true);
    const borrowed = messageCatalogue['inbound.api'].safeParse(message({ storageKey: 'attachments/0193a2c5-f0e1-7a2b-8c3d-4e5f6a7b8c9d' }));
    expect(borrowed.error?.issues.map((i) => i.path.join('.'))).toEqual(['attachment.storageKey']);
    expect(messageCatalogue['inbound.api'].safeParse(message({ url: 'javascript:alert(1)' })).error?.issues[0]?.message).toBe('must be an http or https URL');
  });

  it('a message of inbound.<channel> names that channel: an inbound.whatsapp claiming api, or the reverse, is refused', () => {
    const refusal = (type: 'inbound.whatsapp' | 'inbound.api', channel: string) => messageCatalogue[type].safeParse({ ...message({ url: 'https://files.example/a.pdf' }), channel }).error?.issues;
    expect(refusal('inbound.whatsapp', 'api')).toEqual([expect.objectContaining({ path: ['channel'], message: 'must be whatsapp for inbound.whatsapp' })]);
    expect(refusal('inbound.api', 'whatsapp')).toEqual([expect.objectContaining({ path: ['channel'], message: 'must be api for inbound.api' })]);
    expect(refusal('inbound.api', 'api')).toBeUndefined();
  });

  it("D15: Relaydesk's own adapters hand over a fetched file by its storage key", () => {
    expect(messageCatalogue['inbound.whatsapp'].safeParse({ ...message({ storageKey: 'media/whatsapp/abc' }), channel: 'whatsapp' }).success).toBe(true);
  });
});
