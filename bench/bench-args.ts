// The bench's command line: which parts to run, how many rounds of how long, the storm's client
// count and where to write. The options are described in the header of run-bench.ts.

export const PARTS = ['standalone', 'cluster', 'crossslot', 'profile', 'memory', 'topology', 'storm'] as const;
export type Part = (typeof PARTS)[number];

/** What `--help` prints. */
export const USAGE = `usage: npm run bench -- [options]   (or: node .build/bench/run-bench.js [options])
  --only PARTS   comma-separated, of: ${PARTS.join(', ')} (default: all)
  --rounds N     timed rounds per client per case; the median is reported (default 7)
  --round-ms N   length of one round, ms (default 250)
  --quick        2 rounds of 250 ms, shorter profiles and storm
  --clients N    clients of the refresh-budget storm (default 100)
  --out DIR      where results.json, tables.md and the .cpuprofile files go (default bench-output)
  --help         this text`;

export interface Args {
  help: boolean;
  quick: boolean;
  only: Set<Part>;
  rounds: number | undefined;
  roundMs: number | undefined;
  clients: number;
  outDir: string;
}

function count(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min} (got ${JSON.stringify(text)})`);
  return n;
}

export function parseArgs(argv: readonly string[]): Args {
  const out: Args = {
    help: false,
    quick: false,
    only: new Set(PARTS),
    rounds: undefined,
    roundMs: undefined,
    clients: 100,
    outDir: 'bench-output',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => argv[++i] ?? '';
    if (flag === '--help' || flag === '-h') out.help = true;
    else if (flag === '--quick') out.quick = true;
    else if (flag === '--only') {
      const parts = value().split(',');
      const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
      if (unknown.length > 0) throw new Error(`--only: unknown part(s) ${unknown.join(', ')}; parts are ${PARTS.join(', ')}`);
      out.only = new Set(parts as Part[]);
    } else if (flag === '--rounds') out.rounds = count(flag, value(), 1);
    else if (flag === '--round-ms') out.roundMs = count(flag, value(), 50);
    else if (flag === '--clients') out.clients = count(flag, value(), 1);
    else if (flag === '--out') out.outDir = value();
    else throw new Error(`unknown argument ${flag}\n${USAGE}`);
  }
  return out;
}
