/**
 * The private-network guard, spelling by spelling: addresses as sockets and
 * DNS give them, and URLs as a subscriber writes them (the URL parser turns
 * `0x7f.1` and `2130706433` into 127.0.0.1 before the guard sees them).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrivateAddress, privateRange } from '../../src/channels/net-guard.ts';
import { privateHost } from '../../src/services/subscribers/target.ts';

/** [address, why it is refused (a word of the reason)] */
const refused: [string, RegExp][] = [
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['10.1.2.3', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.168.1.1', /private/],
  ['169.254.169.254', /linkLocal/],
  ['100.64.0.1', /carrierGradeNat/],
  ['0.0.0.0', /unspecified/],
  ['0.1.2.3', /unspecified/],
  ['192.0.0.8', /reserved/],
  ['192.0.2.1', /reserved/],
  ['198.18.0.1', /reserved/],
  ['198.51.100.7', /reserved/],
  ['203.0.113.9', /reserved/],
  ['192.88.99.1', /reserved/],
  ['240.0.0.1', /reserved/],
  ['224.0.0.251', /multicast/],
  ['239.255.255.250', /multicast/],
  ['255.255.255.255', /broadcast/],
  ['::', /unspecified/],
  ['::1', /loopback/],
  ['0:0:0:0:0:0:0:1', /loopback/],
  ['fe80::1', /linkLocal/],
  ['fe80::1%eth0', /linkLocal/],
  ['fd00::1', /uniqueLocal/],
  ['fc00::abcd', /uniqueLocal/],
  ['fec0::1', /SiteLocal/],
  ['ff02::1', /multicast/],
  ['ff05::1:3', /multicast/],
  ['2001:db8::1', /reserved/],
  ['3fff::1', /reserved/],
  ['100::1', /discard/],
  ['2001:2::1', /benchmarking/],
  ['2001:20::1', /orchid/],
  ['5f00::1', /segmentRouting/],
  ['4000::1', /not global unicast/],
  // IPv4 inside IPv6: mapped, translated, compatible.
  ['::ffff:127.0.0.1', /loopback/],
  ['::ffff:7f00:1', /loopback/],
  ['::ffff:a9fe:a9fe', /linkLocal/],
  ['::ffff:0:7f00:1', /loopback/],
  ['::ffff:0:10.0.0.1', /private/],
  ['::127.0.0.1', /loopback|IPv4-compatible/],
  ['::7f00:1', /IPv4-compatible/],
  ['::8.8.8.8', /IPv4-compatible/],
  // NAT64: the well-known prefix carries the IPv4 address; the local-use one is inside by definition.
  ['64:ff9b::10.0.0.1', /private/],
  ['64:ff9b::7f00:1', /loopback/],
  ['64:ff9b:1::5db8:d822', /local NAT64/],
  // 6to4 carries the IPv4 address in bits 16-47.
  ['2002:7f00:1::', /loopback/],
  ['2002:c0a8:101::1', /private/],
  ['2002:a9fe:a9fe::', /linkLocal/],
  // Teredo: the server in bits 32-63, the client (inverted) in the last 32.
  ['2001:0:5db8:d822:0:0:80ff:fefe', /loopback/],
  ['2001:0:5db8:d822::f5ff:fffe', /private/],
  ['2001:0:7f00:1::5db8:d822', /loopback/],
  // Not an address the guard would let a socket reach.
  ['localhost', /not an IP address/],
  ['0x7f.1', /not an IP address/],
  ['2130706433', /not an IP address/],
];

const allowed = [
  '93.184.216.34',
  '8.8.8.8',
  '1.1.1.1',
  '2606:4700:4700::1111',
  '2a00:1450:4007:80e::200e',
  '::ffff:93.184.216.34',
  '64:ff9b::5db8:d822',
  '2002:5db8:d822::1',
  '2001:0:5db8:d822::a247:27dd',
  '[2606:4700:4700::1111]',
];

test(`the guard refuses ${refused.length} spellings of non-public addresses, each for its reason`, () => {
  assert.ok(refused.length >= 40);
  for (const [address, why] of refused) {
    const reason = privateRange(address);
    assert.ok(reason !== null, `${address} passed`);
    assert.match(reason, why, address);
    assert.equal(isPrivateAddress(address), true, address);
  }
});

test('global unicast addresses pass, also inside IPv4-mapped, NAT64, 6to4 and Teredo forms', () => {
  for (const address of allowed) assert.equal(privateRange(address), null, address);
});

test('subscription URLs: IP literals however written, and localhost names, are refused; other names wait for DNS', () => {
  const refusedUrls = [
    'https://127.0.0.1/hook',
    'https://127.1/hook',
    'https://0x7f.1/hook',
    'https://2130706433/hook',
    'https://0177.0.0.1/hook',
    'https://[::1]/hook',
    'https://[::127.0.0.1]/hook',
    'https://[::7f00:1]/hook',
    'https://[::ffff:0:7f00:1]/hook',
    'https://[::ffff:127.0.0.1]:8443/hook',
    'https://[64:ff9b::a9fe:a9fe]/latest/meta-data',
    'https://[2002:a9fe:a9fe::]/',
    'http://169.254.169.254/latest/meta-data',
    'https://10.0.0.5/',
    'https://localhost/hook',
    'https://LOCALHOST./hook',
    'https://api.localhost/hook',
  ];
  for (const url of refusedUrls) assert.notEqual(privateHost(url), null, url);
  for (const url of [
    'https://hooks.slack.com/services/T/B/x',
    'https://93.184.216.34/hook',
    'https://[2606:4700:4700::1111]/hook',
    'https://example.com/localhost',
  ])
    assert.equal(privateHost(url), null, url);
});
