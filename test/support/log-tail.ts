/**
 * Reading the end of a server log, for error messages: when a lab wait times out, the last lines
 * of the server's own log usually say why (port in use, bad TLS file, failover refused).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** Size of a file in bytes, 0 if it does not exist (yet). */
export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Last `lines` lines of a file from byte `from` on (reads at most the last 64 KiB). */
export function tailOf(file: string, from: number, lines: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '(no log file)';
  }
  try {
    const size = statSync(file).size;
    const start = Math.max(from, size - 65_536);
    const buffer = Buffer.alloc(Math.max(size - start, 0));
    readSync(fd, buffer, 0, buffer.length, start);
    return buffer
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } finally {
    closeSync(fd);
  }
}
