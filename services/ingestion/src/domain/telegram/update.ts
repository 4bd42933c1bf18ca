import { z } from 'zod';
import { unixSeconds } from '../platform-time';

/**
 * The parts of a Bot API `Update` we read (https://core.telegram.org/bots/api#update). Fields we do
 * not read pass through, so a new Telegram field never turns a good update into a 400.
 */
const int = z.number().int();
const fileFields = { file_id: z.string().min(1).max(500), file_unique_id: z.string().min(1).max(500), file_size: int.nonnegative().optional() };

const user = z.looseObject({ id: int, first_name: z.string(), last_name: z.string().optional(), username: z.string().optional() });
const chat = z.looseObject({ id: int, type: z.string(), title: z.string().optional(), username: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() });
const location = z.looseObject({ latitude: z.number(), longitude: z.number() });

export const telegramMessage = z.looseObject({
  message_id: int,
  date: unixSeconds,
  edit_date: unixSeconds.optional(),
  chat,
  from: user.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(z.looseObject({ ...fileFields, width: int, height: int })).min(1).optional(),
  document: z.looseObject({ ...fileFields, file_name: z.string().optional(), mime_type: z.string().optional() }).optional(),
  voice: z.looseObject({ ...fileFields, mime_type: z.string().optional() }).optional(),
  audio: z.looseObject({ ...fileFields, file_name: z.string().optional(), mime_type: z.string().optional(), title: z.string().optional(), performer: z.string().optional() }).optional(),
  video: z.looseObject({ ...fileFields, file_name: z.string().optional(), mime_type: z.string().optional() }).optional(),
  video_note: z.looseObject(fileFields).optional(),
  sticker: z.looseObject({ ...fileFields, is_animated: z.boolean().optional(), is_video: z.boolean().optional(), emoji: z.string().optional() }).optional(),
  location: location.optional(),
  venue: z.looseObject({ location, title: z.string(), address: z.string() }).optional(),
  contact: z.looseObject({ phone_number: z.string(), first_name: z.string(), last_name: z.string().optional() }).optional(),
});
export type TelegramMessage = z.infer<typeof telegramMessage>;

export const telegramUpdate = z.looseObject({
  update_id: int,
  message: telegramMessage.optional(),
  edited_message: telegramMessage.optional(),
});
export type TelegramUpdate = z.infer<typeof telegramUpdate>;
