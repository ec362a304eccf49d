/**
 * A throwaway certificate authority made with `openssl` at test time, so no key material lives in
 * the repository. EC P-256 keys keep generation around 100 ms. The result is cached per process.
 *
 * Note on names: Node's `checkServerIdentity` ignores a wildcard whose pattern has fewer than three
 * labels, so `*.test` in a SAN never matches `x.test` for a Node client. The certs therefore also
 * carry `*.repl.test` and `*.cluster.test`, which do match one-label names under those domains.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeNodeDir } from './lab-paths.js';

const run = promisify(execFile);

/** A server certificate and key signed by the test CA, as files (for redis) and PEM (for Node). */
export interface ServerCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The subjectAltName entries, e.g. `DNS:localhost`, `IP:127.0.0.1`. */
  readonly altNames: readonly string[];
  /** A name this cert is valid for, for admin clients that must pass `servername`. */
  readonly servername: string;
}

/** The test CA plus the server certs it signed. */
export interface TestCa {
  readonly dir: string;
  readonly caFile: string;
  /** PEM of the CA certificate: pass as `tls: { ca }` to trust the lab's servers. */
  readonly ca: Buffer;
  /** Valid for the loopback IPs and for `localhost`, `*.test`, `*.repl.test`, `*.cluster.test`. */
  readonly server: ServerCert;
  /**
   * Valid only for DNS names (`primary.repl.test`, `*.repl.test`, `*.cluster.test`): connecting by
   * IP without the right `servername` fails, which shows that verification is by name.
   */
  readonly namesOnly: ServerCert;
}

/** SAN of the default server certificate. */
export const defaultAltNames = [
  'DNS:*.test',
  'DNS:localhost',
  'DNS:*.repl.test',
  'DNS:*.cluster.test',
  'IP:127.0.0.1',
  'IP:127.0.0.2',
  'IP:127.0.0.3',
] as const;

/** SAN of the names-only server certificate. */
export const namesOnlyAltNames = ['DNS:primary.repl.test', 'DNS:*.repl.test', 'DNS:*.cluster.test'] as const;

let cached: Promise<TestCa> | undefined;

/** Creates (once per process) the test CA and its server certificates. */
export function testCa(): Promise<TestCa> {
  cached ??= createCa();
  // A failed attempt (openssl missing, say) should not poison later calls.
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: 15_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function createCa(): Promise<TestCa> {
  // In the node folders so that global setup prunes it if this process crashes.
  const dir = makeNodeDir('tls-ca');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await openssl(
    [
      'req',
      '-x509',
      ...keyArgs,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=redis-resilience test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const [server, namesOnly] = await Promise.all([
    createServerCert(dir, 'server', 'localhost', defaultAltNames),
    createServerCert(dir, 'names-only', 'primary.repl.test', namesOnlyAltNames),
  ]);
  const caFile = join(dir, 'ca.crt');
  return { dir, caFile, ca: readFileSync(caFile), server, namesOnly };
}

async function createServerCert(dir: string, name: string, commonName: string, altNames: readonly string[]): Promise<ServerCert> {
  const ext = join(dir, `${name}.ext`);
  // clientAuth too: redis presents the same cert when it connects out (replication, cluster bus).
  writeFileSync(
    ext,
    [
      `subjectAltName=${altNames.join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      '',
    ].join('\n'),
  );
  await openssl(['req', ...keyArgs, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`], dir);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(Date.now() + Math.floor(Math.random() * 1000)),
      '-days',
      '2',
      '-extfile',
      ext,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return {
    certFile,
    keyFile,
    cert: readFileSync(certFile),
    key: readFileSync(keyFile),
    altNames,
    servername: commonName,
  };
}
