/**
 * The baseline: a bare Node.js `http` server answering fixed paths with
 * the exact status, headers and bytes Crier sent for them. Reads
 * `{ [path]: { headers: [name, value, ...], body: base64 } }` from the file
 * named by its first argument, listens on the port in its second.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [file, port] = process.argv.slice(2);
const recorded = JSON.parse(readFileSync(String(file), 'utf8')) as Record<
  string,
  { headers: string[]; body: string }
>;
const responses = new Map(
  Object.entries(recorded).map(([path, r]) => [
    path,
    { headers: r.headers, body: Buffer.from(r.body, 'base64') },
  ]),
);

http
  .createServer((req, res) => {
    const r = responses.get(req.url ?? '/');
    if (!r) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, r.headers);
    res.end(r.body);
  })
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
