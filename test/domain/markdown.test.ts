import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { renderMarkdown } from '../../src/domain/markdown.ts';

const allowedTags =
  /^<\/?(p|br|ul|ol( start="\d+")?|li|strong|em|code|a( href="(https?:\/\/|mailto:)[^"<>]*" rel="nofollow noopener")?)>$/;

test('markdown output never contains a tag or attribute the renderer did not write', () => {
  fc.assert(
    fc.property(
      fc.string({
        unit: fc.constantFrom(
          '<',
          '>',
          '"',
          "'",
          '&',
          '*',
          '_',
          '`',
          '[',
          ']',
          '(',
          ')',
          ':',
          '/',
          '\\',
          'a',
          'j',
          ' ',
          '\n',
          '-',
          '1',
          '.',
          'http',
          'javascript',
          'mailto',
          '#',
          '!',
          '>',
        ),
        maxLength: 200,
      }),
      (text) => {
        const html = renderMarkdown(text);
        for (const tag of html.match(/<[^>]*>/g) ?? [])
          assert.match(tag, allowedTags, `${JSON.stringify(text)} → ${html}`);
      },
    ),
    { numRuns: 2000 },
  );
});

test('markdown renders the common marks', () => {
  assert.equal(
    renderMarkdown('We **fixed** it.\nSee [notes](https://x.example/n?a=1&b=2) and `db-1`.\n\n- one\n- two'),
    '<p>We <strong>fixed</strong> it.<br>\nSee <a href="https://x.example/n?a=1&amp;b=2" rel="nofollow noopener">notes</a> and <code>db-1</code>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>',
  );
  assert.equal(renderMarkdown('1. one\n2. *two*'), '<ol>\n<li>one</li>\n<li><em>two</em></li>\n</ol>');
  assert.equal(
    renderMarkdown('Write to [us](mailto:help@acme.example) or <https://acme.example/help>.'),
    '<p>Write to <a href="mailto:help@acme.example" rel="nofollow noopener">us</a> or <a href="https://acme.example/help" rel="nofollow noopener">https://acme.example/help</a>.</p>',
  );
});

test('only absolute http(s) and mailto targets become links; HTML stays text', () => {
  // Each of these is shown as written, not as a link and not half-eaten (the old renderer left "x)").
  for (const source of [
    '[x](javascript:alert(1))',
    '[x](JavaScript:alert(1))',
    '[x](java&#115;cript:alert(1))',
    '[x]( javascript:alert(1))',
    '[x](data:text/html,<script>alert(1)</script>)',
    '[x](vbscript:msgbox)',
    '[x](//evil.example)',
    '[x](/\\evil.example)',
    '[x](https:/\\evil.example)',
    '[x](/history)',
    '<javascript:alert(1)>',
  ]) {
    const html = renderMarkdown(source);
    assert.doesNotMatch(html, /<a /, `${source} → ${html}`);
  }
  assert.equal(renderMarkdown('[x](javascript:alert(1))'), '<p>[x](javascript:alert(1))</p>');
  assert.equal(renderMarkdown('[x]()'), '<p>x</p>', 'an empty target links nowhere');
  assert.equal(
    renderMarkdown('<b onmouseover="alert(1)">hi</b> <script>alert(2)</script>'),
    '<p>&lt;b onmouseover=&quot;alert(1)&quot;&gt;hi&lt;/b&gt; &lt;script&gt;alert(2)&lt;/script&gt;</p>',
  );
  assert.equal(
    renderMarkdown('# Not a heading\n![not an image](https://x.example/p.png)'),
    '<p># Not a heading<br>\n!<a href="https://x.example/p.png" rel="nofollow noopener">not an image</a></p>',
  );
});

test('a long hostile body renders once, in bounded time, and is remembered', () => {
  const hostile = '*_[`'.repeat(25_000);
  const started = performance.now();
  const first = renderMarkdown(hostile);
  // markdown-it is not linear on this input; generous for a loaded machine, and far from a hang.
  assert.ok(performance.now() - started < 20_000, 'no catastrophic backtracking');
  const again = performance.now();
  assert.equal(renderMarkdown(hostile), first);
  assert.ok(performance.now() - again < 50, 'the second render is a lookup');
});
