import { ruleFor, type OutboundMessage } from '@relaydesk/contracts';
import type { Channel } from '../../store/channel.repository';
import type { ChannelSender, OutboundFile } from '../deliver-outbound';
import { callPlatform, SendFailure } from '../platform-call';
import { splitText } from '../split-text';
import { apiBaseOf, bearer, readGraphError } from './api';

/** WhatsApp's limits on a text message and on a media caption, in characters. */
export const TEXT_MAX = 4096;
export const CAPTION_MAX = 1024;

type SendAnswer = { messages?: { id?: string }[] };

/**
 * Operator messages through the WhatsApp Cloud API: `POST /{phone-number-id}/messages`, files
 * uploaded to `/media` first. A text too long for a caption goes first as a message of its own; one
 * too long for a message goes in several, and the last one's id stands for the whole.
 */
export class WhatsappSender implements ChannelSender {
  async send(channel: Channel, message: OutboundMessage, file: OutboundFile | undefined): Promise<{ externalMessageId: string }> {
    const to = message.externalClientId;
    const kind = file && (ruleFor('whatsapp', file.mimeType)?.kind ?? 'document');
    const captioned = kind !== undefined && message.text !== undefined && kind !== 'audio' && message.text.length <= CAPTION_MAX;
    let sent: { externalMessageId: string } | undefined;
    if (message.text !== undefined && !captioned) {
      for (const part of splitText(message.text, TEXT_MAX)) sent = await this.message(channel, to, { type: 'text', text: { body: part, preview_url: true } });
    }
    if (!file || !kind) {
      if (!sent) throw new SendFailure('permanent', 'empty', 'The message has neither text nor a file');
      return sent;
    }
    const media = { id: await this.upload(channel, file), ...(captioned ? { caption: message.text } : {}), ...(kind === 'document' ? { filename: file.fileName } : {}) };
    return this.message(channel, to, { type: kind, [kind]: media });
  }

  private async message(channel: Channel, to: string, content: Record<string, unknown>): Promise<{ externalMessageId: string }> {
    const answer = (await callPlatform(
      `${apiBaseOf(channel)}/${String(channel.settings['phoneNumberId'])}/messages`,
      { method: 'POST', headers: { ...bearer(channel), 'content-type': 'application/json' }, body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, ...content }) },
      readGraphError,
    )) as SendAnswer | undefined;
    const id = answer?.messages?.[0]?.id;
    if (!id) throw new SendFailure('retry', 'bad_answer', 'The WhatsApp API answered the send without a message id');
    return { externalMessageId: id };
  }

  private async upload(channel: Channel, file: OutboundFile): Promise<string> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.mimeType);
    form.set('file', new Blob([file.bytes], { type: file.mimeType }), file.fileName);
    const answer = (await callPlatform(`${apiBaseOf(channel)}/${String(channel.settings['phoneNumberId'])}/media`, { method: 'POST', headers: bearer(channel), body: form }, readGraphError)) as
      | { id?: string }
      | undefined;
    if (!answer?.id) throw new SendFailure('retry', 'bad_answer', 'The WhatsApp API answered the upload without a media id');
    return answer.id;
  }
}
