/** File arguments: a path, or `-` for standard input. */

export const STDIN = '-';

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Reading from standard input (end with Ctrl-D)…\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
