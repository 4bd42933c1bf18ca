import { uuid } from '@relaydesk/contracts';
import { z } from 'zod';

/** `:id` of a path, which must be a UUID (400 otherwise). */
export const idParams = z.object({ id: uuid });
