import { createContext, useContext, useEffect, useRef } from 'react';
import type { Api, Operator } from './api/client';
import type { Features, Group } from './api/types';
import type { LiveStream, StreamFrame } from './live/stream';

/** What every screen of a signed-in operator uses. */
export type Session = {
  me: Operator;
  api: Api;
  stream: LiveStream;
  features: Features;
  groups: Group[];
  /** Reads the groups again, after one was added. */
  refreshGroups?: () => Promise<void>;
  /** The operator logs out: of this session, or with `everywhere` of every one he has. */
  logOut: (options?: { everywhere?: boolean }) => void;
  /** Goes on with a new access token of the same operator (his password changed). */
  switchToken: (token: string) => Promise<void>;
};

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in screen');
  return session;
}

export const can = (me: Operator, permission: Operator['permissions'][number]): boolean => me.role === 'super_admin' || me.permissions.includes(permission);

/** D1: either permission opens the All and Blacklist tabs. */
export const hasAllTab = (me: Operator): boolean => can(me, 'conversations.view_all') || can(me, 'conversations.manage');

/** Calls `handler` with every frame of these types while the component is mounted (`reload` and `hello` included when named). */
export function useStreamFrames(types: string[], handler: (frame: StreamFrame) => void): void {
  const { stream } = useSession();
  const latest = useRef(handler);
  latest.current = handler;
  const key = types.join(',');
  useEffect(() => stream.onFrame((frame) => key.split(',').includes(frame.type) && latest.current(frame)), [stream, key]);
}
