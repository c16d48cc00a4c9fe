/** Which role a provider's claims give: the configured claim, a string or a list, the most privileged mapped role. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roleFromClaims } from '../../src/http/console/sso.ts';

const sso = {
  issuer: 'https://id.example',
  clientId: 'crier',
  clientSecret: undefined,
  roleClaim: 'groups',
  roles: { comms: 'comms_lead', ops: 'incident_lead', root: 'admin' },
};

test('claims map to the most privileged role named, or to none', () => {
  assert.equal(roleFromClaims(sso, { groups: ['everyone', 'comms'] }), 'comms_lead');
  assert.equal(roleFromClaims(sso, { groups: ['comms', 'root', 'ops'] }), 'admin');
  assert.equal(roleFromClaims(sso, { groups: 'ops' }), 'incident_lead');
  assert.equal(roleFromClaims(sso, { groups: ['everyone'] }), null);
  assert.equal(roleFromClaims(sso, {}), null);
  assert.equal(
    roleFromClaims({ ...sso, roleClaim: 'role' }, { groups: ['root'], role: 'comms' }),
    'comms_lead',
  );
});
