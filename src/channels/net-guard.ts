/**
 * Which addresses a user-supplied URL may reach. Checked twice: when a
 * subscription names an IP literal (services/subscribers/target.ts), and on
 * the address a socket is about to connect to, after DNS, so a name that
 * resolves (or re-resolves) to a private address is refused as surely.
 *
 * Addresses are classified by ipaddr.js against the IANA special-purpose
 * registries, and only global unicast passes: every other range is refused
 * rather than listed one by one. IPv6 forms that carry an IPv4 address
 * (mapped, translated, IPv4-compatible, NAT64, 6to4, Teredo) are judged by
 * the IPv4 address they carry, so `[::ffff:127.0.0.1]`, `[::7f00:1]` and
 * `[2002:7f00:1::]` are loopback like 127.0.0.1.
 */
import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

/** Why an address is refused, or null when it is a global unicast address. */
export function privateRange(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  // Only the forms the URL parser, DNS and sockets produce: no octal, hex or short IPv4.
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return v4Range(ipaddr.IPv4.parse(bare));
  if (!ipaddr.IPv6.isValid(bare)) return 'not an IP address';
  // ipaddr.js reads `::a.b.c.d` (IPv4-compatible) as `::ffff:a.b.c.d` (mapped); the URL parser's
  // canonical form keeps them apart, as a socket would.
  return v6Range(ipaddr.IPv6.parse(new URL(`http://[${bare}]/`).hostname.slice(1, -1)));
}

/** True for loopback, private, link-local, shared, reserved, multicast and other non-global addresses. */
export function isPrivateAddress(address: string): boolean {
  return privateRange(address) !== null;
}

function v4Range(ip: IPv4): string | null {
  const range = ip.range();
  return range === 'unicast' ? null : `${range} (${ip.toString()})`;
}

function v4From(parts: readonly number[], at: number, xor = 0): IPv4 {
  const hi = ((parts[at] ?? 0) ^ xor) & 0xffff;
  const lo = ((parts[at + 1] ?? 0) ^ xor) & 0xffff;
  return new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
}

function v6Range(ip: IPv6): string | null {
  const p = ip.parts;
  const range = ip.range();
  switch (range) {
    // ::ffff:a.b.c.d and ::ffff:0:a.b.c.d carry an IPv4 address in their last 32 bits.
    case 'ipv4Mapped':
    case 'rfc6145':
      return v4Range(v4From(p, 6));
    case 'rfc6052':
      // 64:ff9b::/96 translates to the IPv4 address in its last 32 bits; 64:ff9b:1::/48 is for
      // a network's own translators (RFC 8215), so inside by definition.
      return p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0 ? v4Range(v4From(p, 6)) : 'local NAT64';
    case '6to4':
      return v4Range(v4From(p, 1));
    case 'teredo':
      // The Teredo server is in bits 32-63, the client's address (inverted) in the last 32.
      return v4Range(v4From(p, 2)) ?? v4Range(v4From(p, 6, 0xffff));
    case 'unicast':
      break;
    default:
      return `${range} (${ip.toString()})`;
  }
  // ::a.b.c.d, the deprecated IPv4-compatible form (::1 and :: were caught above).
  if (p.slice(0, 6).every((x) => x === 0)) return `IPv4-compatible (${ip.toString()})`;
  // Outside 2000::/3 nothing is allocated for global unicast.
  if (((p[0] ?? 0) & 0xe000) !== 0x2000) return `not global unicast (${ip.toString()})`;
  return null;
}

export class PrivateAddressError extends Error {
  readonly code = 'CRIER_PRIVATE_ADDRESS';
  constructor(host: string, address: string) {
    super(
      `Refused to connect to ${host} (${address}): private, loopback or link-local addresses are not allowed (CRIER_ALLOW_PRIVATE_NETWORK).`,
    );
    this.name = 'PrivateAddressError';
  }
}
