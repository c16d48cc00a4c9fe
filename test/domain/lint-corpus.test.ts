/**
 * How far lint agrees with a careful reader: the labelled corpus in
 * test/fixtures/messages (good.yaml, bad.yaml: the verdict, and for poor
 * messages the rules that should fire; held-out.yaml: messages written
 * after the rules, each with its labels, `expect: []` for a good one). A message agrees when lint raises
 * exactly the labelled codes (none for a good one). The test prints the
 * agreement and each rule's confusion, and fails under 95%. The figures in
 * docs/plan.md come from `node --test test/domain/lint-corpus.test.ts`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { type LintCode, lintCodes, lintMessage } from '../../src/domain/lint.ts';

interface Labelled {
  status: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  text: string;
  expect?: LintCode[];
}

const load = (name: string) =>
  parse(readFileSync(new URL(`../fixtures/messages/${name}`, import.meta.url), 'utf8')) as Labelled[];
const heldOut = load('held-out.yaml');
const good = [
  ...load('good.yaml').map((m) => ({ ...m, expect: [] })),
  ...heldOut.filter((m) => m.expect?.length === 0),
];
const bad = [...load('bad.yaml'), ...heldOut.filter((m) => (m.expect?.length ?? 0) > 0)];
const corpus = [...good, ...bad];

const codesOf = (m: Labelled) =>
  [...new Set(lintMessage(m.text, { status: m.status }).map((p) => p.code))].sort();

test('the corpus is large, labelled, and covers every status with good and poor messages', () => {
  assert.ok(corpus.length >= 150, `${corpus.length} messages`);
  for (const status of ['investigating', 'identified', 'monitoring', 'resolved']) {
    assert.ok(good.filter((m) => m.status === status).length >= 15, `good ${status}`);
    assert.ok(bad.filter((m) => m.status === status).length >= 15, `poor ${status}`);
  }
  for (const m of bad) {
    assert.ok(m.expect && m.expect.length > 0, `a poor message names its rules: ${m.text}`);
    for (const code of m.expect ?? []) assert.ok(lintCodes.includes(code), code);
  }
  const texts = corpus.map((m) => m.text);
  assert.equal(new Set(texts).size, texts.length, 'no message twice');
});

test('lint agrees with the labels on at least 95% of the corpus', (t) => {
  let exact = 0;
  let verdict = 0;
  const rules = new Map<string, { tp: number; fp: number; fn: number }>();
  const misses: string[] = [];
  for (const m of corpus) {
    const got = codesOf(m);
    const want = [...(m.expect ?? [])].sort();
    if (got.join() === want.join()) exact += 1;
    else
      misses.push(
        `  [${m.status}] ${m.text.replace(/\s+/g, ' ').slice(0, 90)}\n    labelled [${want}] lint [${got}]`,
      );
    if ((got.length === 0) === (want.length === 0)) verdict += 1;
    for (const code of new Set([...got, ...want])) {
      const r = rules.get(code) ?? { tp: 0, fp: 0, fn: 0 };
      if (got.includes(code) && want.includes(code)) r.tp += 1;
      else if (got.includes(code)) r.fp += 1;
      else r.fn += 1;
      rules.set(code, r);
    }
  }
  const pct = (n: number) => `${((100 * n) / corpus.length).toFixed(1)}%`;
  t.diagnostic(`${corpus.length} messages (${good.length} good, ${bad.length} poor)`);
  t.diagnostic(`exact agreement (same verdict, same rules): ${exact}/${corpus.length} = ${pct(exact)}`);
  t.diagnostic(`verdict agreement (good or poor): ${verdict}/${corpus.length} = ${pct(verdict)}`);
  for (const code of lintCodes) {
    const r = rules.get(code);
    if (r)
      t.diagnostic(
        `  ${code}: agreed ${r.tp}, raised but not labelled ${r.fp}, labelled but not raised ${r.fn}`,
      );
  }
  for (const miss of misses) t.diagnostic(miss);
  assert.ok(
    exact / corpus.length >= 0.95,
    `exact agreement ${pct(exact)} is under 95%:\n${misses.join('\n')}`,
  );
});
