import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../src/domain/duration.ts';
import { diffPlans, formatDiff } from '../../src/plan/diff.ts';
import { planJsonSchema } from '../../src/plan/json-schema.ts';
import { parsePlan, readPlan } from '../../src/plan/load.ts';
import { approvalPolicy, cadencePolicy, channelsForAudience } from '../../src/plan/policy.ts';
import { Plan } from '../../src/plan/schema.ts';

const examples = new URL('../../examples/', import.meta.url);
const read = (url: URL) => readFileSync(url, 'utf8');
const exampleEnv = {
  SMTP_URL: 'smtp://localhost:2525',
  SLACK_INTERNAL_WEBHOOK: 'https://hooks.slack.example/T/B/x',
  SLACK_SUPPORT_WEBHOOK: 'https://hooks.slack.example/T/B/y',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  TWILIO_ACCOUNT_SID: 'AC123',
  TWILIO_AUTH_TOKEN: 'token',
  TEAMS_INTERNAL_WEBHOOK: 'https://teams.example/a',
  TEAMS_SUPPORT_WEBHOOK: 'https://teams.example/b',
};

test('the three example plans pass every check, secrets included', () => {
  const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
  assert.equal(files.length, 3);
  for (const f of files) {
    const result = readPlan(read(new URL(f, examples)), { env: exampleEnv });
    assert.ok(result.ok, `${f}: ${JSON.stringify(!result.ok && result.problems, null, 2)}`);
  }
});

test("plan check warns where a severity's approvers can run out, and says who approves then", () => {
  const result = readPlan(read(new URL('small-saas.yaml', examples)), { env: exampleEnv });
  assert.ok(result.ok);
  assert.deepEqual(
    result.warnings.map((w) => `${w.path}@${w.line}: ${w.message}`),
    [
      'severities.SEV1.approval@23: approvers can run out: cleo@tasklane.example is the only one on the communications lead rota: once they write or change a draft, nobody on it is left to approve it; approval then falls to the incident lead, then the admin (approval_fallback)',
    ],
  );
  const enterprise = readPlan(read(new URL('b2b-enterprise.yaml', examples)), { env: exampleEnv });
  assert.deepEqual(enterprise.ok && enterprise.warnings, []);
  const noFallback = readPlan(
    read(new URL('small-saas.yaml', examples)).replace(
      'approval_fallback: [incident_lead, admin]',
      'approval_fallback: []',
    ),
    { env: exampleEnv },
  );
  assert.ok(noFallback.ok);
  assert.match(
    noFallback.warnings[0]?.message ?? '',
    /no approval_fallback is set, so only an admin can then approve, as the last resort with a written reason$/,
  );
});

test('an unset env: secret is named by its path', () => {
  const result = readPlan(read(new URL('small-saas.yaml', examples)), { env: {} });
  assert.equal(result.ok, false);
  const paths = !result.ok ? result.problems.map((p) => p.path) : [];
  assert.ok(paths.includes('channels.email.url'));
  assert.ok(paths.includes('channels.slack-internal.url'));
});

test('a broken plan names every problem with its path, line and column', () => {
  const result = readPlan(read(new URL('../fixtures/plans/broken.yaml', import.meta.url)), { env: {} });
  assert.equal(result.ok, false);
  if (result.ok) return;
  const byPath = new Map<string, string>();
  for (const p of result.problems) byPath.set(p.path, `${byPath.get(p.path) ?? ''} ${p.message}`);
  const expected: Record<string, RegExp> = {
    'page.time_zone': /not an IANA time zone/,
    'roles.comms_lead.channel': /no channel named "nowhere"/,
    'severities.SEV1.remind_before': /before the update is due/,
    'severities.SEV1.audiences.1': /no audience named "vip"/,
    'severities.SEV2.external_cadence': /no external cadence/,
    'severities.SEV2.audiences': /no audiences/,
    'audiences.public.channels.2': /no channel named "pager"/,
    'channels.email.url': /BROKEN_SMTP_URL is not set/,
    'scenarios.db-down.severity': /no severity named "SEV9"/,
    'scenarios.db-down.templates.resolved': /no template for resolved/,
    'scenarios.db-down.templates.investigating': /does not render: undefined variable: componets/,
    'scenarios.vague.templates.investigating': /vague.*missing_impact|missing_impact/s,
    'runbooks.0.do.0.declare.scenario': /no scenario named "nope"/,
    'scenarios.vague.templates.resolved': /missing_recovery.*missing_scope/s,
  };
  for (const [path, pattern] of Object.entries(expected)) {
    assert.match(byPath.get(path) ?? '(no problem reported)', pattern, path);
  }
  assert.match(byPath.get('scenarios.vague.templates.investigating') ?? '', /jargon.*db-prod-3/s);
  assert.match(byPath.get('scenarios.vague.templates.investigating') ?? '', /missing_next_update/);
  for (const p of result.problems) {
    assert.ok(typeof p.line === 'number' && p.line > 0, `${p.path} has a line`);
  }
  const remind = result.problems.find((p) => p.path === 'severities.SEV1.remind_before');
  assert.equal(remind?.line, 8);
});

test('schema errors and YAML errors come with paths and lines too', () => {
  const bad = readPlan('severities:\n  SEV1:\n    external_cadence: soon\n    approval: everyone\n');
  assert.equal(bad.ok, false);
  const paths = !bad.ok ? bad.problems.map((p) => `${p.path}@${p.line}`) : [];
  assert.ok(paths.includes('severities.SEV1.external_cadence@3'), paths.join(', '));
  assert.ok(paths.includes('severities.SEV1.approval@4'), paths.join(', '));
  const yaml = readPlan('page: { name: x\n');
  assert.equal(yaml.ok, false);
  assert.equal(!yaml.ok && yaml.problems[0]?.path, '(file)');
});

test('a plan with only channels still parses for the delivery code (parsePlan)', () => {
  const plan = parsePlan('channels:\n  hook: { type: webhook, url: env:HOOK }\n', {
    HOOK: 'https://x.example',
  });
  assert.equal(plan.channels.hook?.type, 'webhook');
  assert.equal((plan.channels.hook as { url?: string }).url, 'https://x.example');
});

test('durations: every whole-second duration survives formatting and parsing', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 60 * 60 * 24 * 30 }), (seconds) => {
      assert.equal(parseDuration(formatDuration(seconds * 1000)), seconds * 1000);
    }),
  );
  for (const bad of ['', '15', 'm', '15 m', '-5m', '0m', '1.5h', 'soon'])
    assert.equal(parseDuration(bad), null, bad);
});

test('schema: any severity built from valid parts parses, and policies read back what it says', () => {
  const duration = fc
    .tuple(fc.integer({ min: 1, max: 120 }), fc.constantFrom('s', 'm', 'h'))
    .map(([n, u]) => `${n}${u}`);
  const role = fc.constantFrom('incident_lead', 'comms_lead', 'support_lead');
  const approval = fc.oneof(
    fc.constant('none'),
    role,
    fc.record({
      any_of: fc.uniqueArray(role, { minLength: 1, maxLength: 3 }),
      count: fc.integer({ min: 1, max: 5 }),
    }),
  );
  fc.assert(
    fc.property(duration, duration, approval, (external, internal, approval) => {
      const plan = Plan.parse({
        severities: {
          SEV1: { external_cadence: external, internal_cadence: internal, approval, audiences: ['public'] },
        },
        audiences: { public: { channels: ['status-page'] } },
      });
      const cadence = cadencePolicy(plan, 'SEV1');
      assert.equal(cadence.externalMs, parseDuration(external));
      assert.equal(cadence.internalMs, parseDuration(internal));
      const policy = approvalPolicy(plan, 'SEV1');
      if (approval === 'none') assert.equal(policy.kind, 'none');
      else if (typeof approval === 'string')
        assert.deepEqual(policy.kind === 'roles' && policy.roles, [approval]);
      else assert.equal(policy.kind === 'roles' && policy.count, approval.count);
    }),
  );
  fc.assert(
    fc.property(fc.string(), (s) => {
      fc.pre(parseDuration(s) === null);
      assert.equal(Plan.safeParse({ severities: { SEV1: { external_cadence: s } } }).success, false);
    }),
  );
});

test('without a plan nothing needs approval and the page is the only channel', () => {
  assert.deepEqual(approvalPolicy(null, 'SEV1'), { kind: 'none' });
  assert.deepEqual(
    channelsForAudience(null, 'public').map((c) => c.name),
    ['status-page'],
  );
});

test('the JSON Schema describes every section and accepts the plan’s input shape', () => {
  const schema = planJsonSchema() as { properties: Record<string, unknown>; $schema: string };
  assert.match(schema.$schema, /2020-12/);
  for (const key of ['page', 'roles', 'severities', 'audiences', 'channels', 'scenarios', 'lint']) {
    assert.ok(key in schema.properties, key);
  }
  assert.doesNotThrow(() => JSON.stringify(schema));
});

test('a diff names what changed, was added and was removed, by path', () => {
  const a = readPlan(read(new URL('small-saas.yaml', examples)), { check: false });
  assert.ok(a.ok);
  const b = structuredClone(a.plan);
  b.severities.SEV1 = { ...b.severities.SEV1, approval: 'none' } as (typeof b.severities)['SEV1'];
  delete b.severities.SEV3;
  b.audiences.partners = { channels: ['email'], private_page: true, chat_room_per_incident: false };
  const changes = diffPlans(a.plan, b);
  assert.deepEqual(changes.map((c) => `${c.kind} ${c.path}`).sort(), [
    'added audiences.partners',
    'changed severities.SEV1.approval',
    'removed severities.SEV3',
  ]);
  assert.match(formatDiff(changes), /~ severities\.SEV1\.approval: "comms_lead" → "none"/);
  assert.equal(formatDiff(diffPlans(a.plan, a.plan)), 'No changes.');
});

test('template variables write times in the page’s time zone, naming the day when it is not today', async () => {
  const { templateVariables } = await import('../../src/plan/variables.ts');
  const plan = Plan.parse({ page: { name: 'Acme', time_zone: 'Europe/Paris' } });
  const base = {
    plan,
    pageName: 'Status',
    fallbackTimeZone: 'UTC',
    incident: { id: 'i1', name: 'Outage', severity: 'SEV1', eta: '2026-01-16T08:00:00.000Z' },
    status: 'identified' as const,
    componentNames: ['API', 'Dashboard', 'Email'],
    impact: 'Emails are late.',
    workaround: null,
    nextUpdateAt: '2026-01-15T13:30:00.000Z',
    incidentUrl: 'https://status.acme.example/incidents/i1',
    now: '2026-01-15T13:00:00.000Z',
  };
  const vars = templateVariables(base);
  assert.equal(vars.components, 'API, Dashboard and Email');
  assert.equal(vars.next_update_at, '14:30 CET');
  assert.equal(vars.eta, 'Fri 16 Jan, 09:00 CET');
  assert.equal(vars.status, 'identified');
  assert.equal(vars.page_name, 'Acme');
  assert.equal(templateVariables({ ...base, plan: null }).next_update_at, '13:30 UTC');
});

test('a private page: true, or who reaches it; refused for the public audience and for a bad network', () => {
  const source = read(new URL('b2b-enterprise.yaml', examples));
  const ok = readPlan(source, { env: exampleEnv });
  assert.ok(ok.ok);
  assert.deepEqual(ok.plan.audiences.enterprise?.private_page, {
    links: true,
    staff: true,
    networks: ['203.0.113.0/24'],
  });
  const onPublic = readPlan(
    source.replace(
      'channels: [status-page, feed, email, webhook]',
      'channels: [status-page, feed, email, webhook]\n    private_page: true',
    ),
    { env: exampleEnv },
  );
  assert.ok(!onPublic.ok);
  assert.deepEqual(
    onPublic.problems.map((p) => p.path),
    ['audiences.public.private_page'],
  );
  const badNetwork = readPlan(
    source.replace('networks: [203.0.113.0/24]', 'networks: [203.0.113.0/24, nowhere]'),
    {
      env: exampleEnv,
    },
  );
  assert.ok(!badNetwork.ok);
  assert.deepEqual(
    badNetwork.problems.map((p) => p.path),
    ['audiences.enterprise.private_page.networks.1'],
  );
});
