/**
 * Command line of `npm run demo`:
 *
 *   npm run demo                                   # local lab, faults injected
 *   npm run demo -- --endpoint host:port [--mode cluster|standalone|replication]
 *                   [--duration 60] [--tls] [--out dir]
 *
 * With `--endpoint` nothing is injected: the same load and report run against a real
 * deployment, for `--duration` seconds. The password, if any, comes from REDIS_PASSWORD (never
 * from the command line, where `ps` would show it).
 */

export type DemoMode = 'cluster' | 'standalone' | 'replication';

export interface DemoArgs {
  endpoint: { host: string; port: number } | undefined;
  mode: DemoMode;
  durationS: number;
  tls: boolean;
  outDir: string;
  help: boolean;
}

export const USAGE = `usage: npm run demo [-- --endpoint host:port [--mode cluster|standalone|replication] [--duration seconds] [--tls] [--out dir]]
  without --endpoint: starts a local Redis lab and injects faults (about 1 minute)
  with --endpoint:    observes a real deployment for --duration seconds (default 60), injects nothing;
                      password from the REDIS_PASSWORD environment variable`;

/** Parses the demo's arguments; throws with a one-line reason on anything it does not understand. */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const args: DemoArgs = { endpoint: undefined, mode: 'cluster', durationS: 60, tls: false, outDir: 'demo-output', help: false };
  let modeGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--endpoint': {
        const text = value();
        const colon = text.lastIndexOf(':');
        const host = colon > 0 ? text.slice(0, colon) : text;
        const port = colon > 0 ? Number(text.slice(colon + 1)) : 6379;
        if (!host || !Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`--endpoint must be host:port, got ${text}`);
        args.endpoint = { host, port };
        break;
      }
      case '--mode': {
        const mode = value();
        if (mode !== 'cluster' && mode !== 'standalone' && mode !== 'replication')
          throw new Error(`--mode must be cluster, standalone or replication, got ${mode}`);
        args.mode = mode;
        modeGiven = true;
        break;
      }
      case '--duration': {
        const d = Number(value());
        if (!(d > 0 && d <= 86_400)) throw new Error('--duration must be a number of seconds between 1 and 86400');
        args.durationS = d;
        break;
      }
      case '--tls':
        args.tls = true;
        break;
      case '--out':
        args.outDir = value();
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new Error(`unknown argument ${flag}`);
    }
  }
  if (modeGiven && !args.endpoint) throw new Error('--mode only applies with --endpoint (the lab runs every mode)');
  return args;
}
