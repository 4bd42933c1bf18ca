import { z } from 'zod';

/** The last second a platform's timestamp may name (the end of the year 9999): later ones no Date can hold. */
const LAST_SECOND = 253_402_300_799;
const inRange = 'must be seconds since 1970, before the year 10000';

/** A platform's time in seconds since 1970, as a number (Telegram) or a string of digits (WhatsApp). */
export const unixSeconds = z.number().int().min(0, inRange).max(LAST_SECOND, inRange);
export const unixSecondsText = z
  .string()
  .regex(/^\d{1,12}$/, inRange)
  .refine((s) => Number(s) <= LAST_SECOND, inRange);

export const isoOfSeconds = (seconds: number | string): string => new Date(Number(seconds) * 1000).toISOString();
