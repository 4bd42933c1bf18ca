import { inboundMessage } from '@relaydesk/contracts';
import { readTelegramUpdate, type TelegramInbound } from './read-update';
import { telegramUpdate } from './update';

const channelId = '0194f3a2-7c1e-7d3a-9b2e-3f4a5b6c7d8e';
const chat = { id: 123456789, type: 'private', first_name: 'Анна', last_name: 'Schmidt', username: 'anna_s' };
const from = { id: 123456789, is_bot: false, first_name: 'Анна', last_name: 'Schmidt', username: 'anna_s', language_code: 'de' };

/** An Update as the Bot API sends it, with a message holding `content`. */
const update = (content: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  update_id: 871234561,
  message: { message_id: 42, from, chat, date: 1732000000, ...content },
  ...extra,
});

function read(raw: unknown): TelegramInbound {
  const result = readTelegramUpdate(telegramUpdate.parse(raw), channelId);
  if ('ignored' in result) throw new Error(`ignored: ${result.ignored}`);
  // Whatever it reads must be a valid bus message once any file is fetched.
  expect(inboundMessage.safeParse(result.file ? { ...result.message, attachment: { storageKey: 'k', fileName: result.file.fileName, mimeType: result.file.mimeType, size: 1 } } : result.message).success).toBe(true);
  return result;
}

const file = (id: string, extra: Record<string, unknown> = {}) => ({ file_id: id, file_unique_id: `u-${id}`, file_size: 1000, ...extra });

describe('reading a Telegram Update', () => {
  it('D20: a text with emoji: chat id as client, the name from first and last name, chat-qualified message id, the date', () => {
    expect(read(update({ text: 'Hallo 👋🏽 ёжик' }))).toEqual({
      message: {
        channel: 'telegram',
        channelId,
        externalClientId: '123456789',
        clientName: 'Анна Schmidt',
        externalMessageId: '123456789:42',
        sentAt: '2024-11-19T07:06:40.000Z',
        text: 'Hallo 👋🏽 ёжик',
      },
    });
  });

  it('a client without a name is named by his username, then by his chat id', () => {
    const onlyUsername = { id: 5, is_bot: false, first_name: ' ', username: 'ghost' };
    expect(read({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: 5, type: 'private' }, from: onlyUsername, text: 'x' } }).message.clientName).toBe('@ghost');
    expect(read({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: -1001, type: 'channel' }, text: 'x' } }).message.clientName).toBe('Telegram -1001');
  });

  it('D15: a photo takes the largest of its sizes, whatever their order, with the caption as text', () => {
    const photo = [file('small', { width: 90, height: 60 }), file('large', { width: 1280, height: 853, file_size: 90_000 }), file('medium', { width: 320, height: 213 })];
    const read1 = read(update({ photo, caption: 'My receipt 🧾' }));
    expect(read1.file).toEqual({ fileId: 'large', size: 90_000, fileName: 'photo_u-large.jpg', mimeType: 'image/jpeg', label: 'photo' });
    expect(read1.message.text).toBe('My receipt 🧾');
  });

  it('D15: a document keeps its name and type; a voice message, audio, video, video note and sticker become files', () => {
    expect(read(update({ document: file('doc', { file_name: 'Rechnung März.pdf', mime_type: 'application/pdf' }) })).file).toMatchObject({ fileId: 'doc', fileName: 'Rechnung März.pdf', mimeType: 'application/pdf', label: 'document' });
    const voice = read(update({ voice: file('v', { duration: 3, mime_type: 'audio/ogg' }) }));
    expect(voice.file).toMatchObject({ fileId: 'v', fileName: 'voice_u-v.ogg', mimeType: 'audio/ogg', label: 'voice message' });
    expect(voice.message.text).toBeUndefined();
    expect(read(update({ audio: file('a', { duration: 200, title: 'Song' }) })).file).toMatchObject({ fileName: 'audio_u-a.mp3', mimeType: 'audio/mpeg' });
    expect(read(update({ video: file('vid', { width: 640, height: 480, duration: 5, mime_type: 'video/mp4' }) })).file).toMatchObject({ fileName: 'video_u-vid.mp4', mimeType: 'video/mp4' });
    expect(read(update({ video_note: file('note', { length: 240, duration: 4 }) })).file).toMatchObject({ label: 'video message', mimeType: 'video/mp4' });
    expect(read(update({ sticker: file('st', { type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: '😀' }) })).file).toMatchObject({ fileName: 'sticker_u-st.webp', mimeType: 'image/webp' });
    expect(read(update({ sticker: file('st2', { width: 512, height: 512, is_animated: true, is_video: false }) })).file).toMatchObject({ fileName: 'sticker_u-st2.tgs', mimeType: 'application/x-tgsticker' });
  });

  it('a GIF (animation, repeated as a document) is read as its document', () => {
    const gif = file('gif', { file_name: 'party.mp4', mime_type: 'video/mp4' });
    expect(read(update({ animation: { ...gif, width: 1, height: 1, duration: 1 }, document: gif })).file).toMatchObject({ fileId: 'gif', fileName: 'party.mp4' });
  });

  it('a declared type that is not a MIME type is replaced by a generic one', () => {
    expect(read(update({ document: file('d', { mime_type: 'not a type', file_name: 'x' }) })).file?.mimeType).toBe('application/octet-stream');
  });

  it('a location, a venue and a contact become readable text', () => {
    expect(read(update({ location: { latitude: 52.520008, longitude: 13.404954 } })).message.text).toBe('Location: 52.520008, 13.404954');
    expect(read(update({ location: { latitude: 48.8584, longitude: 2.2945 }, venue: { location: { latitude: 48.8584, longitude: 2.2945 }, title: 'Eiffel Tower', address: 'Champ de Mars, Paris' } })).message.text).toBe(
      'Location: Eiffel Tower, Champ de Mars, Paris (48.8584, 2.2945)',
    );
    expect(read(update({ contact: { phone_number: '+4915112345678', first_name: 'Jörg', last_name: 'Weber', user_id: 77 } })).message.text).toBe('Contact: Jörg Weber, +4915112345678');
  });

  it('an unknown kind is stored as "Unsupported message" naming it, rather than dropped', () => {
    const poll = { id: 'p', question: 'Which?', options: [{ text: 'a', voter_count: 0 }], total_voter_count: 0, is_closed: false, is_anonymous: true, type: 'regular', allows_multiple_answers: false };
    expect(read(update({ poll })).message.text).toBe('Unsupported message (poll)');
    expect(read(update({ dice: { emoji: '🎲', value: 4 }, reply_to_message: { message_id: 1, date: 1, chat } })).message.text).toBe('Unsupported message (dice)');
  });

  it('an edited message is a message of its own: its id and time mark the edit, its text says it was edited', () => {
    const edited = { update_id: 2, edited_message: { message_id: 42, from, chat, date: 1732000000, edit_date: 1732000090, text: 'Sorry, I meant Tuesday' } };
    expect(read(edited).message).toMatchObject({ externalMessageId: '123456789:42:edit:1732000090', sentAt: '2024-11-19T07:08:10.000Z', text: '(edited) Sorry, I meant Tuesday' });
    const editedCaption = { update_id: 3, edited_message: { message_id: 43, from, chat, date: 1732000000, edit_date: 1732000100, photo: [file('p', { width: 1, height: 1 })] } };
    expect(read(editedCaption)).toMatchObject({ message: { text: '(edited)' }, file: { fileId: 'p' } });
  });

  it('an update without a client message, or a live location moving, is ignored and says why', () => {
    const callback = { update_id: 4, callback_query: { id: 'c', from, chat_instance: 'ci', data: 'yes' } };
    expect(readTelegramUpdate(telegramUpdate.parse(callback), channelId)).toEqual({ ignored: 'callback_query' });
    const member = { update_id: 5, my_chat_member: { chat, from, date: 1, old_chat_member: {}, new_chat_member: {} } };
    expect(readTelegramUpdate(telegramUpdate.parse(member), channelId)).toEqual({ ignored: 'my_chat_member' });
    const moving = { update_id: 6, edited_message: { message_id: 9, chat, from, date: 1, edit_date: 2, location: { latitude: 1, longitude: 2, live_period: 900 } } };
    expect(readTelegramUpdate(telegramUpdate.parse(moving), channelId)).toEqual({ ignored: 'live location update' });
  });

  it('D33: fields Telegram adds pass; a message without chat or a photo of no sizes is refused', () => {
    expect(telegramUpdate.safeParse({ ...update({ text: 'x', brand_new_field: { a: 1 } }), another_new_field: true }).success).toBe(true);
    expect(telegramUpdate.safeParse({ update_id: 1, message: { message_id: 1, date: 1, text: 'x' } }).success).toBe(false);
    expect(telegramUpdate.safeParse(update({ photo: [] })).success).toBe(false);
    expect(telegramUpdate.safeParse({ message: { message_id: 1, date: 1, chat, text: 'x' } }).success).toBe(false);
  });
});
