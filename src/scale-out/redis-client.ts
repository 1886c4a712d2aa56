/**
 * The few plain Redis commands hubgate uses beside BullMQ (bundle files, cancel flags, the
 * cancel broadcast), on BullMQ's own connection. BullMQ types its client narrowly; at run time
 * it is an ioredis client, which has all of these.
 */
export interface RedisCommands {
  set(key: string, value: string | Buffer, mode: "EX", seconds: number): Promise<unknown>;
  del(key: string): Promise<number>;
  exists(key: string): Promise<number>;
  getBuffer(key: string): Promise<Buffer | null>;
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string): Promise<unknown>;
  on(event: "message", listener: (channel: string, message: string) => void): unknown;
  duplicate(): RedisCommands;
  quit(): Promise<unknown>;
  ping(): Promise<string>;
}

export const commands = (client: unknown) => client as RedisCommands;
