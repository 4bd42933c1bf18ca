import { z } from 'zod';
import type { TranscriptRequested } from '@relaydesk/contracts';

const mailAddress = z.email();

/**
 * The conversation service checks recipients and subject; a request that slipped past it fails
 * with a reason instead of being retried, and a line break never reaches a mail header.
 */
export function envelopeProblem(request: Pick<TranscriptRequested, 'to' | 'subject'>): string | undefined {
  const bad = request.to.filter((to) => !mailAddress.safeParse(to).success);
  if (bad.length > 0) return `Not a mail address: ${bad.map((to) => JSON.stringify(to.slice(0, 100))).join(', ')}`;
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (/[\u0000-\u001f\u007f]/.test(request.subject)) return 'The subject must be one line';
  return undefined;
}
