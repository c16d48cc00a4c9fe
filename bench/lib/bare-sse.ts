/**
 * The baseline for bench/live-clients.ts: a bare Node.js `http` server with
 * the same timeouts, holding each GET /events open after one state frame,
 * and answering anything else with a short 200. Listens on the port in its
 * first argument.
 */
import http, { type ServerResponse } from 'node:http';
import { HTTP_TIMEOUTS } from '../../src/http/timeouts.ts';

const clients = new Set<ServerResponse>();
const state = `event: state\nid: 0123456789abcdef\ndata: ${JSON.stringify({
  version: '0123456789abcdef',
  page: { name: 'Status', url: 'http://localhost:8080' },
  status: { indicator: 'none', description: 'All Systems Operational' },
  incidents: [],
  maintenances: [],
})}\n\n`;

http
  .createServer(HTTP_TIMEOUTS, (req, res) => {
    if (req.url !== '/events') {
      res.end('ok');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.write(`retry: 5000\n\n${state}`);
    clients.add(res);
    res.on('close', () => clients.delete(res));
  })
  .listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\n'));
