/**
 * How far the sentiment scorer agrees with a reader: the labelled posts in
 * test/fixtures/sentiment (en.txt, fr.txt), written and labelled by the
 * project since no such corpus can be downloaded here. Each file's odd lines
 * are the development half (read while writing the lexicon and choosing the
 * neutral band), its even lines the held-out half (never read for that). The
 * test prints agreement per language and half and the confusion counts, and
 * fails under 70% on a language's held-out half or its whole. The figures in
 * docs/sentiment.md come from `node --test test/domain/sentiment-corpus.test.ts`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Container } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en';
import { LangFr } from '@nlpjs/lang-fr';
import { SentimentAnalyzer } from '@nlpjs/sentiment';
import {
  type SentimentLabel,
  type SentimentLanguage,
  scoreSentiment,
  sentimentLabels,
  sentimentLanguages,
} from '../../src/domain/sentiment.ts';

interface Post {
  label: SentimentLabel;
  text: string;
  half: 'development' | 'held-out';
}

function corpus(language: SentimentLanguage): Post[] {
  const lines = readFileSync(new URL(`../fixtures/sentiment/${language}.txt`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  return lines.map((line, i) => {
    const [label, text] = line.split('\t');
    assert.ok(sentimentLabels.includes(label as SentimentLabel), `a label on line: ${line}`);
    assert.ok(text && text.length > 0, `a post on line: ${line}`);
    return { label: label as SentimentLabel, text, half: i % 2 === 0 ? 'development' : 'held-out' };
  });
}

function agreement(posts: Post[], language: SentimentLanguage) {
  const confusion: Record<string, number> = {};
  let agreed = 0;
  for (const post of posts) {
    const { label } = scoreSentiment(post.text, language);
    if (label === post.label) agreed++;
    const cell = `${post.label} → ${label}`;
    confusion[cell] = (confusion[cell] ?? 0) + 1;
  }
  return { agreed, total: posts.length, share: agreed / posts.length, confusion };
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

for (const language of sentimentLanguages) {
  test(`${language}: at least 100 labelled posts, every label well represented`, () => {
    const posts = corpus(language);
    assert.ok(posts.length >= 100, `${posts.length} posts`);
    for (const label of sentimentLabels)
      assert.ok(posts.filter((p) => p.label === label).length >= 20, `${label} posts`);
  });

  test(`${language}: the scorer agrees with the labels on at least 70% of the held-out half and of the whole`, (t) => {
    const posts = corpus(language);
    const whole = agreement(posts, language);
    const halves = (['development', 'held-out'] as const).map((half) => ({
      half,
      ...agreement(
        posts.filter((p) => p.half === half),
        language,
      ),
    }));
    for (const h of halves)
      t.diagnostic(`${language} ${h.half}: ${h.agreed}/${h.total} = ${percent(h.share)}`);
    t.diagnostic(`${language} whole: ${whole.agreed}/${whole.total} = ${percent(whole.share)}`);
    t.diagnostic(
      `${language} confusion (label → scored): ${Object.entries(whole.confusion)
        .sort()
        .map(([cell, n]) => `${cell} ${n}`)
        .join(', ')}`,
    );
    const heldOut = halves.find((h) => h.half === 'held-out');
    assert.ok(heldOut && heldOut.share >= 0.7, `held-out ${percent(heldOut?.share ?? 0)}`);
    assert.ok(whole.share >= 0.7, `whole ${percent(whole.share)}`);
  });
}

test('the library alone, for comparison: its own vote on the whole corpus', async (t) => {
  const container = new Container();
  container.use(LangEn);
  container.use(LangFr);
  const library = new SentimentAnalyzer({ container });
  for (const language of sentimentLanguages) {
    const posts = corpus(language);
    let agreed = 0;
    for (const post of posts) {
      const { sentiment } = await library.process({ locale: language, text: post.text });
      if (sentiment.vote === post.label) agreed++;
    }
    t.diagnostic(`${language} library alone: ${agreed}/${posts.length} = ${percent(agreed / posts.length)}`);
    // Why the scorer wraps it: alone it misses the bar on these posts.
    assert.ok(agreed / posts.length < agreement(posts, language).share);
  }
});
