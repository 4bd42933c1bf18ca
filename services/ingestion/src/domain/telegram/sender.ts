import type { OutboundMessage } from '@relaydesk/contracts';
import { z } from 'zod';
import type { Channel } from '../../store/channel.repository';
import type { ChannelSender, OutboundFile } from '../deliver-outbound';
import { SendFailure } from '../platform-call';
import { splitText } from '../split-text';
import { callBotApi, postJson } from './bot-api';

/** Telegram's limits on a message's text and on a file's caption, in UTF-16 code units. */
export const TEXT_MAX = 4096;
export const CAPTION_MAX = 1024;

/** The Bot API method and field a file goes through, by type; anything else is a document. */
const uploads: { method: string; field: string; mimeTypes: string[] }[] = [
  { method: 'sendPhoto', field: 'photo', mimeTypes: ['image/jpeg', 'image/png', 'image/webp'] },
  { method: 'sendVideo', field: 'video', mimeTypes: ['video/mp4'] },
  { method: 'sendAudio', field: 'audio', mimeTypes: ['audio/mpeg', 'audio/mp4'] },
];
const documentUpload = { method: 'sendDocument', field: 'document' };

const sentMessage = z.object({ message_id: z.number().int() });

/**
 * Operator messages through the Telegram Bot API: text by `sendMessage`, a file by `sendPhoto`,
 * `sendVideo`, `sendAudio` or `sendDocument` with the text as its caption. A text too long for a
 * caption goes first as a message of its own; one too long for a message goes in several.
 */
export class TelegramSender implements ChannelSender {
  async send(channel: Channel, message: OutboundMessage, file: OutboundFile | undefined): Promise<{ externalMessageId: string }> {
    const chatId = message.externalClientId;
    const text = message.text;
    const captioned = file !== undefined && text !== undefined && text.length <= CAPTION_MAX;
    let sent: { externalMessageId: string } | undefined;
    if (text !== undefined && !captioned) {
      for (const part of splitText(text, TEXT_MAX)) sent = await this.call(channel, 'sendMessage', postJson({ chat_id: chatId, text: part }));
    }
    if (file) sent = await this.upload(channel, chatId, file, captioned ? text : undefined);
    if (!sent) throw new SendFailure('permanent', 'empty', 'The message has neither text nor a file');
    return sent;
  }

  private upload(channel: Channel, chatId: string, file: OutboundFile, caption: string | undefined): Promise<{ externalMessageId: string }> {
    const { method, field } = uploads.find((u) => u.mimeTypes.includes(file.mimeType)) ?? documentUpload;
    const form = new FormData();
    form.set('chat_id', chatId);
    if (caption !== undefined) form.set('caption', caption);
    form.set(field, new Blob([file.bytes], { type: file.mimeType }), file.fileName);
    return this.call(channel, method, { method: 'POST', body: form });
  }

  private async call(channel: Channel, method: string, init: RequestInit): Promise<{ externalMessageId: string }> {
    const answer = sentMessage.safeParse(await callBotApi(channel, method, init));
    if (!answer.success) throw new SendFailure('retry', 'bad_answer', `The Telegram Bot API answered ${method} without a message_id`);
    return { externalMessageId: String(answer.data.message_id) };
  }
}
