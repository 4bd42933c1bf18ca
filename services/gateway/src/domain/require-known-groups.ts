import { AppError } from '@relaydesk/service-kit';
import type { Directory } from '../store/directory';

/** The group ids without repeats, or 400 naming those that are no group, at `path`: the field the caller sent. */
export async function requireKnownGroups(directory: Pick<Directory, 'missingGroupIds'>, groupIds: string[], path = 'groupIds'): Promise<string[]> {
  const unique = [...new Set(groupIds.map((id) => id.toLowerCase()))];
  const missing = await directory.missingGroupIds(unique);
  if (missing.length > 0) {
    const message = `unknown group id(s): ${missing.join(', ')}`;
    throw new AppError('validation_failed', `Invalid request: ${path}: ${message}`, [{ path, message }]);
  }
  return unique;
}
