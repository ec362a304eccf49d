/**
 * A scripted "Redis" on loopback, for the replies a real redis-server can't be made to send:
 * garbage or truncated RESP, replies that never end, ROLE with wrong types. It parses what the
 * client sends (RESP arrays of bulk strings), records every connection's bytes (to prove what a
 * client did or did not send: credentials, its connection name), and answers each command
 * through the test's script. Stopped by the lab's teardown (`lab.defer`) or by `close()`.
 */
import { type RespConnection, type RespServer, encode, startRespServer } from './scripted-resp-server.js';

/** What to send for one command: RESP text or bytes, or nothing at all (the reply never comes). */
export type HostileReply = string | Buffer | undefined;

export type HostileScript = (command: readonly string[], connection: HostileConnection) => HostileReply;

/** One accepted connection: its id, every byte it sent (latin1 text), its socket. */
export type HostileConnection = RespConnection;

/** The server: its address, every connection and command it got, `close()`. */
export type HostileServer = RespServer;

/** The replies a client needs to get through its handshake (AUTH, CLIENT, SELECT, INFO, PING). */
export function handshakeReply(command: readonly string[]): HostileReply {
  switch (command[0]) {
    case 'AUTH':
    case 'SELECT':
    case 'CLIENT':
    case 'READONLY':
      return encode({ simple: 'OK' });
    case 'PING':
      return encode({ simple: 'PONG' });
    case 'INFO':
      return encode('loading:0\r\nrole:master\r\n');
    default:
      return undefined;
  }
}

/** Starts a server on `host` (127.0.0.x) and a free port that answers through `script`. */
export function startHostileServer(script: HostileScript, host = '127.0.0.1'): Promise<HostileServer> {
  return startRespServer(script, host);
}
