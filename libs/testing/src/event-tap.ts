import amqp, { type ChannelModel } from 'amqplib';

export type TappedEvent<P = any> = { id: string; type: string; payload: P };

/** Copies of the bus messages of some routing keys, from a queue of the test's own: what a service emitted. */
export class EventTap {
  readonly seen: TappedEvent[] = [];

  private constructor(private readonly connection: ChannelModel) {}

  static async open(amqpUrl: string, exchange: string, patterns: string[]): Promise<EventTap> {
    const connection = await amqp.connect(amqpUrl);
    const tap = new EventTap(connection);
    const channel = await connection.createChannel();
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    for (const pattern of patterns) await channel.bindQueue(queue, exchange, pattern);
    await channel.consume(queue, (d) => d && tap.seen.push(JSON.parse(d.content.toString('utf8')) as TappedEvent), { noAck: true });
    return tap;
  }

  of<P = any>(type: string): TappedEvent<P>[] {
    return this.seen.filter((e) => e.type === type);
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
