import { fileAccept, fileExtensionsTaken } from './attachment-rules';

describe('attachment rules (D15)', () => {
  it('a file picker offers the extensions of what the channel takes, and no other', () => {
    expect(fileAccept('webchat')).toBe('.png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.csv,.doc,.docx,.xls,.xlsx,.ppt,.pptx');
    expect(fileAccept('whatsapp').split(',')).toEqual(expect.arrayContaining(['.jpg', '.png', '.mp4', '.ogg', '.pdf']));
    expect(fileAccept('whatsapp').split(',')).not.toContain('.webp');
    expect(fileExtensionsTaken('telegram', ['application/zip'])).toEqual(['zip']);
  });
});
