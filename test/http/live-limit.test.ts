import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import {
  connectionLimits,
  FALLBACK_DESCRIPTOR_LIMIT,
  readDescriptorLimit,
  trustedPeer,
} from '../../src/http/connection-limits.ts';
import { addressKey, LiveLimiter } from '../../src/http/live-limit.ts';

test('addresses are counted as IPv4, IPv4-mapped IPv6 as IPv4, IPv6 by /64', () => {
  assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
  assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0db8:0001:0002:ffff:0:0:9'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
});

test('the limiter caps streams per address and in total, and gives them back once', async () => {
  const limiter = new LiveLimiter({ perAddress: 2, total: 3 });
  const a1 = limiter.acquire('198.51.100.1');
  const a2 = limiter.acquire('::ffff:198.51.100.1');
  const a3 = limiter.acquire('198.51.100.1');
  assert.ok(a1.ok && a2.ok);
  assert.deepEqual(a3, { ok: false, reason: 'address' });
  // Two addresses in one /64 are one client.
  const b1 = limiter.acquire('2001:db8::1');
  const b2 = limiter.acquire('2001:db8::2');
  assert.ok(b1.ok);
  assert.deepEqual(b2, { ok: false, reason: 'total' });
  assert.equal(limiter.held, 3);
  assert.equal(limiter.heldBy('198.51.100.1'), 2);

  if (a1.ok) {
    a1.release();
    a1.release();
  }
  assert.equal(limiter.held, 2, 'a second release gives nothing back');
  assert.equal(limiter.heldBy('198.51.100.1'), 1);
  assert.ok(limiter.acquire('192.0.2.9').ok);
  assert.deepEqual(limiter.refused, { address: 1, total: 1 });
  const text = await limiter.registry.metrics();
  assert.match(text, /^crier_live_streams 3$/m);
  assert.match(text, /^crier_live_streams_refused_total\{cap="total"\} 1$/m);
});

test('the descriptor limit is read from /proc, with a fallback where it cannot be', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crier-limits-'));
  const file = path.join(dir, 'limits');
  writeFileSync(
    file,
    [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max processes             95432                95432                processes ',
      'Max open files            4096                 524288               files     ',
    ].join('\n'),
  );
  assert.equal(readDescriptorLimit(file), 4096);
  writeFileSync(file, 'Max open files            unlimited            unlimited            files\n');
  assert.equal(readDescriptorLimit(file), Number.MAX_SAFE_INTEGER);
  assert.equal(readDescriptorLimit(path.join(dir, 'missing')), undefined);
  if (process.platform === 'linux') assert.ok((readDescriptorLimit() ?? 0) > 0, 'this process');

  const fallback = connectionLimits(loadConfig({}).connections, undefined);
  assert.equal(fallback.descriptorLimit, FALLBACK_DESCRIPTOR_LIMIT);
  assert.equal(fallback.descriptorSource, 'fallback');
});

test('caps are derived well below the descriptor limit, and settings it cannot carry are lowered', () => {
  const unset = loadConfig({}).connections;
  const small = connectionLimits(unset, 1024);
  assert.deepEqual(small.live, { perAddress: 100, total: 512 });
  assert.equal(small.maxConnections, 896);
  assert.equal(small.maxConnectionsPerAddress, 228, 'its streams and 128 more');
  assert.deepEqual(small.warnings, []);

  const large = connectionLimits(unset, 1_048_576);
  assert.deepEqual(large.live, { perAddress: 100, total: 10_000 }, 'memory, not descriptors, bounds it here');
  assert.equal(large.maxConnectionsPerAddress, large.maxConnections >> 3, 'an eighth of the sockets');

  const asked = loadConfig({
    CRIER_LIVE_MAX_PER_ADDRESS: '5000',
    CRIER_LIVE_MAX_TOTAL: '3000',
    CRIER_HTTP_MAX_CONNECTIONS: '900',
    CRIER_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '1000',
  }).connections;
  const lowered = connectionLimits(asked, 1024);
  assert.equal(lowered.maxConnections, 896);
  assert.ok(lowered.live.total < lowered.maxConnections, 'live streams leave sockets for pages and the API');
  assert.ok(lowered.live.total <= 512);
  assert.equal(lowered.live.perAddress, lowered.live.total);
  assert.equal(lowered.maxConnectionsPerAddress, 896);
  assert.equal(lowered.warnings.length, 4);
  assert.match(lowered.warnings.join('\n'), /CRIER_LIVE_MAX_TOTAL=3000 lowered to \d+: .*ulimit -n/);

  const fits = connectionLimits(
    loadConfig({ CRIER_LIVE_MAX_PER_ADDRESS: '20', CRIER_LIVE_MAX_TOTAL: '300' }).connections,
    1024,
  );
  assert.deepEqual(fits.live, { perAddress: 20, total: 300 });
  assert.deepEqual(fits.warnings, []);
});

test('a trusted proxy is not one client; everyone else is', () => {
  assert.equal(trustedPeer(false)('127.0.0.1'), false);
  assert.equal(trustedPeer(true)('203.0.113.5'), true);
  assert.equal(trustedPeer(1)('203.0.113.5'), true);
  assert.equal(trustedPeer(0)('203.0.113.5'), false);
  const list = trustedPeer(['10.0.0.0/8', '::1']);
  assert.equal(list('10.1.2.3'), true);
  assert.equal(list('::1'), true);
  assert.equal(list('203.0.113.5'), false);
});

test('connection settings must be positive whole numbers', () => {
  assert.throws(() => loadConfig({ CRIER_LIVE_MAX_TOTAL: '0' }), /CRIER_LIVE_MAX_TOTAL/);
  assert.throws(() => loadConfig({ CRIER_LIVE_MAX_PER_ADDRESS: 'lots' }), /CRIER_LIVE_MAX_PER_ADDRESS/);
  assert.throws(() => loadConfig({ CRIER_HTTP_MAX_CONNECTIONS: '1.5' }), /CRIER_HTTP_MAX_CONNECTIONS/);
  assert.throws(
    () => loadConfig({ CRIER_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '-1' }),
    /CRIER_HTTP_MAX_CONNECTIONS_PER_ADDRESS/,
  );
});
