/**
 * `crier subscribers page-link renew|revoke ID`: the signed links a
 * subscriber of a private audience opens its page by (docs/status-page.md,
 * private pages). The API signs and revokes them; it keeps no list of the
 * links it signed (each is checked by its signature and the subscriber's
 * revocation time), so there is nothing to list.
 */
import type { Command } from 'commander';
import { call } from '../client.ts';
import { print } from '../output.ts';
import { api, withJson } from './common.ts';

export function pageLinkCommands(subscribers: Command): void {
  const links = subscribers
    .command('page-link')
    .description("a subscriber's signed links to their audience's private page");

  withJson(
    links
      .command('renew')
      .description('sign a fresh link, valid 30 days; it holds a secret: send it to the subscriber only')
      .argument('<id>', 'the subscriber'),
  ).action(async (id: string, o: { json: boolean }) => {
    const link = await call(
      (await api()).POST('/api/v1/subscribers/{id}/page-link', { params: { path: { id } } }),
    );
    print(link, o.json, () => `${link.url}\nValid until ${link.expires_at}.`);
  });

  withJson(
    links
      .command('revoke')
      .description('close the private page to every link signed for the subscriber until now')
      .argument('<id>', 'the subscriber'),
  ).action(async (id: string, o: { json: boolean }) => {
    const done = await call(
      (await api()).DELETE('/api/v1/subscribers/{id}/page-link', { params: { path: { id } } }),
    );
    print(
      done,
      o.json,
      () =>
        `Every link signed for ${id} before ${done.revoked_before} no longer opens the private page; renew to send a new one.`,
    );
  });
}
