// Self-tests of the TLS lab: servers with certificates from a throwaway CA, verified by ioredis
// the way the library will (trust the CA, verify the name with `servername`).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import type { Redis, RedisOptions } from 'ioredis';
import { type TestCa, createLab, parseInfo } from '../support/lab.js';

describe('lab: TLS', { timeout: 40_000 }, () => {
  const lab = createLab();
  after(() => lab.teardown());
  let ca: TestCa;

  before(async () => {
    ca = await lab.tls();
  });

  /** Connects once (no retries) and resolves with the client, or rejects with the TLS error. */
  async function connect(options: RedisOptions): Promise<Redis> {
    const client = lab.client({ lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...options });
    const errors: Error[] = [];
    client.on('error', (error: Error) => errors.push(error));
    try {
      await client.connect();
      return client;
    } catch (error) {
      // ioredis reports "Connection is closed"; the reason is the socket error event before it.
      throw errors[0] ?? error;
    }
  }

  test('ioredis completes a verified handshake (test CA + servername) and can SET/GET', { timeout: 10_000 }, async () => {
    const node = await lab.standalone({ tls: true, password: 'lab-secret' });
    const client = await connect({
      host: node.host,
      port: node.port,
      password: 'lab-secret',
      tls: { ca: ca.ca, servername: 'localhost' },
    });
    assert.equal((client.stream as TLSSocket).authorized, true);
    assert.equal(await client.set('lab:tls', 'secure'), 'OK');
    assert.equal(await client.get('lab:tls'), 'secure');
  });

  test('a wrong servername, or an untrusted CA, is rejected', { timeout: 10_000 }, async () => {
    const node = await lab.standalone({ tls: true });
    await assert.rejects(connect({ host: node.host, port: node.port, tls: { ca: ca.ca, servername: 'wrong.example' } }), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    await assert.rejects(
      connect({ host: node.host, port: node.port, tls: { servername: 'localhost' } }),
      (error: Error & { code?: string }) => /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(String(error.code)),
    );
  });

  test('with a names-only cert, verification is by name: by IP alone it fails', { timeout: 10_000 }, async () => {
    const node = await lab.node({ host: '127.0.0.2', tls: ca.namesOnly, label: 'tls-names-only' });
    const client = await connect({ host: '127.0.0.2', port: node.port, tls: { ca: ca.ca, servername: 'primary.repl.test' } });
    assert.equal(await client.ping(), 'PONG');
    await assert.rejects(connect({ host: '127.0.0.2', port: node.port, tls: { ca: ca.ca } }), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  test('a TLS cluster with announced hostnames forms (TLS replication and cluster bus)', { timeout: 20_000 }, async () => {
    const dns = await lab.dns();
    const cluster = await lab.cluster({ primaries: 3, replicasPerPrimary: 1, tls: true, announceHostnames: true, dns });
    const [first] = cluster.nodes;
    assert.ok(first);
    assert.equal(parseInfo(String(await first.command('CLUSTER', 'INFO'))).cluster_state, 'ok');
    // CLUSTER SLOTS names hosts, as ElastiCache does with TLS: [start, end, [host, port, id, ...], ...]
    const slots = (await first.command('CLUSTER', 'SLOTS')) as [number, number, [string, number, ...unknown[]]][];
    const hosts = slots.map((range) => range[2][0]).toSorted();
    assert.ok(
      hosts.every((h) => /^node-\d\.cluster\.test$/.test(h)),
      `hosts: ${hosts.join(', ')}`,
    );
    const resolved = await dns.resolver().resolve4(hosts[0] as string);
    assert.deepEqual(resolved, ['127.0.0.1']);
    assert.deepEqual(await dns.resolver().resolve4(cluster.configEndpoint as string), ['127.0.0.1']);
  });
});
