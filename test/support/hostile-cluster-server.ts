/**
 * A scripted fake Redis node for replies a real redis-server cannot be made to send: CLUSTER
 * SLOTS answers that are empty, of the wrong type or overlapping, MOVED to hosts that do not
 * exist, garbage. It speaks just enough RESP2 for ioredis to connect (CLIENT, INFO, READONLY,
 * PING, SELECT); every other command goes to the script. Loopback only, stopped by `close()`,
 * which also ends every connection it accepted.
 */
import { type Reply, encode, startRespServer } from './scripted-resp-server.js';

export type { Reply } from './scripted-resp-server.js';

/** Leaves the command unanswered, as a hung server would. */
export const NO_REPLY = Symbol('no reply');

/** Answers one command (upper-cased name first); undefined falls back to the defaults. */
export type Script = (command: readonly string[]) => Reply | typeof NO_REPLY | undefined;

export interface HostileServer {
  readonly host: string;
  readonly port: number;
  /** Commands received, in order, upper-cased name first. */
  readonly received: readonly (readonly string[])[];
  /** Connections open now. */
  openConnections(): number;
  /** Replaces the script. */
  setScript(script: Script): void;
  close(): Promise<void>;
}

function defaults(command: readonly string[]): Reply {
  switch (command[0]) {
    case 'CLIENT':
    case 'READONLY':
    case 'READWRITE':
    case 'SELECT':
    case 'ASKING':
      return { simple: 'OK' };
    case 'PING':
      return { simple: 'PONG' };
    case 'INFO':
      return 'loading:0\r\n';
    default:
      return { error: `ERR unknown command '${command[0]}'` };
  }
}

/** Starts a scripted server on `host` (127.0.0.x) and a free port. */
export async function startHostileServer(script: Script, host = '127.0.0.1'): Promise<HostileServer> {
  let current = script;
  const server = await startRespServer((command) => {
    const reply = current(command);
    return reply === NO_REPLY ? undefined : Buffer.from(encode(reply ?? defaults(command)), 'latin1');
  }, host);
  return {
    host,
    port: server.port,
    received: server.commands,
    openConnections: server.openConnections,
    setScript(next) {
      current = next;
    },
    close: () => server.close(),
  };
}

/** A CLUSTER INFO reply with the fields the change detector reads. */
export function clusterInfo(epoch: number, knownNodes: number, state = 'ok'): string {
  return `cluster_state:${state}\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_known_nodes:${knownNodes}\r\ncluster_size:1\r\ncluster_current_epoch:${epoch}\r\n`;
}

/** A CLUSTER SLOTS reply giving every slot to `host:port`. */
export function allSlotsTo(host: string, port: number, id = 'a'.repeat(40)): Reply {
  return [[0, 16_383, [host, port, id]]];
}
