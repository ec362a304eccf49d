import type { Redis } from 'ioredis';

type Socket = NonNullable<Redis['stream']>;

/**
 * Collects what ioredis writes for a batch of commands and hands it to the socket in one
 * write, as ioredis's own Pipeline does: one string instead of a socket write (or a `writev`
 * chunk) per command. It is the `stream` argument of `Redis#sendCommand(command, stream)`, in
 * ioredis's pipeline-stream shape (`isPipeline`, `destination`), so ioredis still queues each
 * command for its reply as usual. Only for a connection whose socket is writable now: a
 * command ioredis had to queue offline would be written through here later, and that late
 * write goes straight to the socket.
 */
export class OneWrite {
  readonly isPipeline = true;
  readonly destination: { redis: { stream: Socket } };
  private data = '';
  private buffers: Array<string | Buffer> | undefined;
  private flushed = false;

  private constructor(private readonly socket: Socket) {
    this.destination = { redis: { stream: socket } };
  }

  /** A collector for `client`'s socket, or undefined when the socket cannot be written to now. */
  static on(client: Redis): OneWrite | undefined {
    const socket = client.stream;
    return client.status === 'ready' && socket?.writable ? new OneWrite(socket) : undefined;
  }

  write(chunk: string | Buffer): boolean {
    if (this.flushed) return this.socket.write(chunk);
    if (typeof chunk === 'string' && this.buffers === undefined) this.data += chunk;
    else (this.buffers ??= [this.data]).push(chunk);
    return true;
  }

  /** Writes everything collected, in one socket write. */
  flush(): void {
    this.flushed = true;
    if (this.buffers === undefined) {
      if (this.data !== '') this.socket.write(this.data);
      return;
    }
    this.socket.write(Buffer.concat(this.buffers.map((b) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : b))));
  }
}
