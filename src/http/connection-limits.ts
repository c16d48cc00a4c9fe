/**
 * How many connections the HTTP server may hold, derived from the process's
 * file descriptor limit (`ulimit -n`) read at start. Each socket is one
 * descriptor; when they run out, the process can no longer accept a page
 * request, open a database connection or write a file. So the caps leave
 * room: live streams take at most half the descriptors, every socket
 * together at most seven eighths, and explicit settings that would not
 * leave that room are lowered, with a warning.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';
import { addressKey, type LiveLimits } from './live-limit.ts';

/** What is assumed when the limit cannot be read (not Linux): the common default soft limit. */
export const FALLBACK_DESCRIPTOR_LIMIT = 1024;
/** Live streams default to this many in total when the descriptor limit allows it (memory: docs/performance.md). */
const DEFAULT_LIVE_TOTAL = 10_000;
const DEFAULT_LIVE_PER_ADDRESS = 100;

export interface ConnectionLimitSettings {
  livePerAddress: number | undefined;
  liveTotal: number | undefined;
  maxConnections: number | undefined;
  maxConnectionsPerAddress: number | undefined;
}

export interface ConnectionLimits {
  /** The soft limit on open files, and where it came from. */
  descriptorLimit: number;
  descriptorSource: '/proc/self/limits' | 'fallback';
  live: LiveLimits;
  /** Sockets the server holds at once; more are closed as they arrive. */
  maxConnections: number;
  /** Sockets one peer address (IPv6: one /64) may hold, unless it is a trusted proxy. */
  maxConnectionsPerAddress: number;
  /** Settings lowered to fit the descriptor limit, in words for the start-up log. */
  warnings: string[];
}

/** The soft "Max open files" of this process, from /proc on Linux; undefined elsewhere. */
export function readDescriptorLimit(file = '/proc/self/limits'): number | undefined {
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER;
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function connectionLimits(
  settings: ConnectionLimitSettings,
  read: number | undefined,
): ConnectionLimits {
  const descriptorLimit = read ?? FALLBACK_DESCRIPTOR_LIMIT;
  const warnings: string[] = [];
  const fit = (name: string, wanted: number | undefined, fallback: number, most: number): number => {
    if (wanted === undefined) return Math.max(1, Math.min(fallback, most));
    if (wanted <= most) return wanted;
    warnings.push(
      `${name}=${wanted} lowered to ${most}: the descriptor limit is ${descriptorLimit} (raise it with ulimit -n)`,
    );
    return Math.max(1, most);
  };
  const socketRoom = descriptorLimit - Math.max(64, Math.floor(descriptorLimit / 8));
  const maxConnections = fit('CRIER_HTTP_MAX_CONNECTIONS', settings.maxConnections, socketRoom, socketRoom);
  // Live streams leave room for page, API and health requests among the sockets.
  const liveRoom = Math.min(
    Math.floor(descriptorLimit / 2),
    maxConnections - Math.max(32, maxConnections >> 3),
  );
  const total = fit('CRIER_LIVE_MAX_TOTAL', settings.liveTotal, DEFAULT_LIVE_TOTAL, liveRoom);
  const perAddress = fit(
    'CRIER_LIVE_MAX_PER_ADDRESS',
    settings.livePerAddress,
    DEFAULT_LIVE_PER_ADDRESS,
    total,
  );
  // An address's streams and room beside them for its page and API requests, or an eighth
  // of the sockets if more: many readers can share one address (a company's NAT), and it
  // still takes eight addresses to fill the server.
  const maxConnectionsPerAddress = fit(
    'CRIER_HTTP_MAX_CONNECTIONS_PER_ADDRESS',
    settings.maxConnectionsPerAddress,
    Math.max(perAddress + 128, maxConnections >> 3),
    maxConnections,
  );
  return {
    descriptorLimit,
    descriptorSource: read === undefined ? 'fallback' : '/proc/self/limits',
    live: { perAddress, total },
    maxConnections,
    maxConnectionsPerAddress,
    warnings,
  };
}

/**
 * Whether a peer is one of the proxies CRIER_TRUST_PROXY names, as Fastify
 * decides it for `req.ip`: behind a trusted proxy every client arrives from
 * the proxy's address, so its sockets are not counted as one client's.
 */
export function trustedPeer(trustProxy: boolean | number | string[]): (address: string) => boolean {
  if (typeof trustProxy === 'boolean') return () => trustProxy;
  if (typeof trustProxy === 'number') return () => trustProxy > 0;
  const trust = proxyAddr.compile(trustProxy);
  return (address) => trust(address, 0);
}

/**
 * Closes a new socket at once when its peer already holds `perAddress`
 * sockets. Node's `maxConnections` caps the total; this keeps one address
 * from taking all of it, so the page and the API still accept others.
 */
export function capSocketsPerAddress(
  server: Server,
  perAddress: number,
  trusted: (address: string) => boolean,
): void {
  const held = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress;
    if (peer === undefined || trusted(peer)) return;
    const key = addressKey(peer);
    const mine = held.get(key) ?? 0;
    if (mine >= perAddress) {
      socket.destroy();
      return;
    }
    held.set(key, mine + 1);
    socket.once('close', () => {
      const left = (held.get(key) ?? 1) - 1;
      if (left > 0) held.set(key, left);
      else held.delete(key);
    });
  });
}
