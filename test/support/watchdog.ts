/**
 * Starts a server process under a tiny `sh` watchdog, so that the server cannot outlive the test
 * process that owns it, even when that process is SIGKILLed (no exit handler runs then).
 *
 * The watchdog is the server's parent, not a sibling: PID 1 in this environment never reaps
 * orphans, so a server that died as an orphan would stay a `redis-server` zombie forever and show
 * up in `pgrep`. As the parent, the watchdog reaps it. The server is started with a plain
 * `cmd &` so that `$!` is the server's own pid (dash execs a simple background command in the
 * forked child), which is what SIGSTOP/SIGKILL fault injection must target.
 */
import { spawn } from 'node:child_process';
import { withTimeout } from './wait.js';

// $1 = owner pid, $2... = the command. `alive` reads /proc/<pid>/stat because `kill -0` succeeds
// on zombies. Each loop turn checks the server first: once it has died (and been reaped by the
// `sleep`'s wait, or by the explicit `wait`), the watchdog exits without ever signalling a pid
// that could have been reused. Between the `alive` check and `kill` nothing can reap the server
// (builtins only), so the pid cannot be recycled in that window.
const script = `
alive() {
  [ -r "/proc/$1/stat" ] || return 1
  read -r s < "/proc/$1/stat" 2>/dev/null || return 1
  case "\${s##*) }" in Z*|X*) return 1;; esac
  return 0
}
owner="$1"; shift
"$@" </dev/null >/dev/null 2>&1 &
child=$!
echo "$child"
while :; do
  if ! alive "$child"; then wait "$child" 2>/dev/null; exit 0; fi
  alive "$owner" || break
  sleep 0.5
done
kill -CONT "$child" 2>/dev/null
kill -KILL "$child" 2>/dev/null
wait "$child" 2>/dev/null
`;

/** Pids of a watched process. */
export interface WatchedProcess {
  /** The server process itself. */
  readonly pid: number;
  /** The watchdog shell (the server's parent). Never signal it: it must live to reap the server. */
  readonly watchdogPid: number;
}

/**
 * Spawns `command args...` under a watchdog bound to this process and resolves with both pids.
 * The server's stdin/stdout/stderr go to /dev/null: redis writes its log with `--logfile`, and
 * no pipe to this process may outlive it (the test runner would wait on it).
 */
export async function spawnWatched(command: string, args: readonly string[]): Promise<WatchedProcess> {
  const child = spawn('sh', ['-c', script, 'redis-lab-watchdog', String(process.pid), command, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const stdout = child.stdout;
  const firstLine = new Promise<string>((resolve, reject) => {
    let text = '';
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline >= 0) resolve(text.slice(0, newline).trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`watchdog exited (code ${code}) before reporting a pid`)));
  });
  try {
    const line = await withTimeout(firstLine, 5000, `watchdog for ${command}`);
    const pid = Number(line);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`watchdog printed ${JSON.stringify(line)}, not a pid`);
    if (child.pid === undefined) throw new Error('watchdog has no pid');
    return { pid, watchdogPid: child.pid };
  } finally {
    // The watchdog lives on its own; this process must be free to exit whenever its tests end.
    stdout.destroy();
    child.unref();
  }
}
