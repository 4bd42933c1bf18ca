import { sniff } from './sniff';
import { cleanFileName, decideAttachmentType } from './attachment-type';

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const pdf = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n', 'latin1');
const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]);

describe('attachment types (D15)', () => {
  it('D15: the type comes from the bytes, and the name must agree', async () => {
    expect(decideAttachmentType('webchat', 'Frühling 🌸.png', await sniff(png))).toEqual({ mimeType: 'image/png', maxBytes: 10_000_000 });
    expect(decideAttachmentType('webchat', 'no-extension', await sniff(pdf))).toEqual({ mimeType: 'application/pdf', maxBytes: 10_000_000 });
    expect(() => decideAttachmentType('webchat', 'photo.png', { mimeType: 'application/pdf' })).toThrow('The content of "photo.png" is application/pdf, not the image/png its name says');
    expect(() => decideAttachmentType('webchat', 'photo.png', 'text')).toThrow('is plain text, not the image/png');
  });

  it('D15: an executable is refused whatever its name', async () => {
    const sniffed = await sniff(exe);
    expect(sniffed).toEqual({ mimeType: 'application/x-msdownload' });
    expect(() => decideAttachmentType('webchat', 'photo.png', sniffed)).toThrow('not the image/png its name says');
    expect(() => decideAttachmentType('webchat', 'setup', sniffed)).toThrow('does not take application/x-msdownload');
    expect(() => decideAttachmentType('webchat', 'setup.exe', sniffed)).toThrow('Files named .exe are not taken');
  });

  it('D15, D20: UTF-8 text is text, even cut inside a character; binary junk is nothing we can tell', async () => {
    expect(await sniff(Buffer.from('Привет 👋 hello'))).toBe('text');
    expect(await sniff(Buffer.from('Привет 👋').subarray(0, 13))).toBe('text');
    expect(await sniff(Buffer.from([0x01, 0x00, 0x9c, 0x42, 0x00, 0x7f]))).toBeUndefined();
    expect(decideAttachmentType('webchat', 'notes.txt', 'text').mimeType).toBe('text/plain');
    expect(decideAttachmentType('webchat', 'table.csv', 'text').mimeType).toBe('text/csv');
    expect(() => decideAttachmentType('webchat', 'blob', undefined)).toThrow('cannot be told from its content');
  });

  it('D15: an Office file sniffed as its container takes the type its name says', () => {
    expect(decideAttachmentType('whatsapp', 'report.docx', { mimeType: 'application/zip' }).mimeType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(decideAttachmentType('whatsapp', 'old.xls', { mimeType: 'application/x-cfb' })).toEqual({ mimeType: 'application/vnd.ms-excel', maxBytes: 100_000_000 });
  });

  it('D15: each channel has its own types and limits (WhatsApp images 5 MB, Telegram 50 MB)', () => {
    expect(decideAttachmentType('whatsapp', 'a.png', { mimeType: 'image/png' }).maxBytes).toBe(5_000_000);
    expect(decideAttachmentType('whatsapp', 'a.mp4', { mimeType: 'video/mp4' }).maxBytes).toBe(16_000_000);
    expect(() => decideAttachmentType('whatsapp', 'a.gif', { mimeType: 'image/gif' })).toThrow('A whatsapp conversation does not take image/gif files');
    expect(decideAttachmentType('telegram', 'a.pdf', { mimeType: 'application/pdf' }).maxBytes).toBe(50_000_000);
  });

  it('D15: a file name keeps its Unicode and loses paths and control characters', () => {
    expect(cleanFileName('Frühling 🌸.png')).toBe('Frühling 🌸.png');
    expect(cleanFileName('C:\\Users\\ann\\evil\n.png')).toBe('evil.png');
    expect(() => cleanFileName('')).toThrow('needs a file name');
    expect(() => cleanFileName(`${'a'.repeat(252)}.png`)).toThrow('longer than 255');
  });
});
