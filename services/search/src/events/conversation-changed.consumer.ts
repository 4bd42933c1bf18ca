import { Consumer, expectEach, isType, type Bus } from '@relaydesk/bus';
import { exchanges } from '@relaydesk/contracts';
import type { SearchEngine } from '../store/search-engine';

/**
 * Keeps the index in step with the conversation service, in order per conversation. No inbox: the
 * engine's version guard and message ids make a redelivered or straggling event change nothing,
 * and the same holds for an engine outside PostgreSQL.
 */
export function conversationChangedConsumer(bus: Bus, engine: SearchEngine, partitions: number): Consumer {
  const name = 'search.index';
  return new Consumer(bus, {
    name,
    partitions,
    bindings: [{ exchange: exchanges.events, pattern: 'conversation.changed' }],
    handle: (messages) => engine.apply(expectEach(messages, isType('conversation.changed'), name).map((m) => m.payload)),
  });
}
