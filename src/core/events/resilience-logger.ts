/**
 * The logging surface the library needs. A Nest `LoggerService` (or `new Logger(...)`)
 * fits it as is, so Nest apps pass their logger straight through.
 */
export interface ResilienceLogger {
  log(message: string, ...optionalParams: unknown[]): void;
  warn(message: string, ...optionalParams: unknown[]): void;
  error(message: string, ...optionalParams: unknown[]): void;
  debug?(message: string, ...optionalParams: unknown[]): void;
}

/** Minimal default outside Nest: one line per call on stderr (stdout belongs to the app). */
export function createConsoleLogger(context = 'redis-resilience'): ResilienceLogger {
  const line = (level: string, message: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${level} [${context}] ${message}\n`);
  };
  return {
    log: (m) => line('INFO', m),
    warn: (m) => line('WARN', m),
    error: (m) => line('ERROR', m),
    debug: () => {},
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: ResilienceLogger = { log() {}, warn() {}, error() {}, debug() {} };
