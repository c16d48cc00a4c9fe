/**
 * What a message states, read the way a customer reads it: what they
 * experience (however plainly put: "fails", "is affecting card payments",
 * "the API remains available", "you may see older prices"), what works
 * again and for whom, when they will hear next, and wording that sounds
 * like news but says nothing. Pattern matching over sentences, so each
 * finding can be explained; measured against the labelled corpus in
 * test/fixtures/messages (docs/plan.md gives the agreement).
 */
import { withoutBuiltInJargon } from './lint-jargon.ts';

/** Sentences and clauses; a colon followed by a space ends one too ("Resolved: payments work again"). */
function sentencesOf(text: string): string[] {
  return (
    text
      .replace(/https?:\/\/\S+/g, ' ')
      // No word is this long; dropping such runs keeps every pattern below linear on hostile input.
      .replace(/\S{61,}/g, ' ')
      .split(/(?<=[.!?;])\s+|:\s+|\n+|\s+[—–]\s+/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
  );
}

/**
 * Courtesy and advice ("Thank you for your patience", "If you still see
 * errors, contact us") say nothing of the incident: "you" in them is no
 * audience, and "problems" in them no vagueness.
 */
const courtesy =
  /\b(?:thank(?:s| you)|sorry|apolog\w*|patience|understanding|bearing with)\b|^(?:if|please|contact|let us know|reach out)\b/i;

function statementsOf(text: string): string[] {
  return sentencesOf(text).filter((s) => !courtesy.test(s));
}

const wordsIn = (s: string) => s.toLowerCase().match(/[a-z][a-z0-9'’-]*/g) ?? [];

/** Who a message can be about: people ("customers", "drivers", "you"). */
const people =
  "customers?|users?|clients?|merchants?|members?|subscribers?|accounts?|teams?|workspaces?|organi[sz]ations?|tenants?|developers?|admins?|administrators?|agents?|sellers?|buyers?|shoppers?|drivers?|riders?|hosts?|guests?|patients?|students?|teachers?|players?|partners?|stores?|shops?|restaurants?|businesses|business|companies|company|employees?|staff|visitors?|people|everyone|everybody|anyone|anybody|folks?|you|your|yours|you're|you've|you'll|you’re|you’ve|you’ll";
const peopleWords = new RegExp(`^(?:${people})$`);

/**
 * Words that name no thing a customer uses: function words, and the
 * generic nouns of incident prose ("the issue", "all systems", "service").
 */
const emptyWords = new Set(
  `a an the this that these those it its it's they them their there here we we're we've our us i
  is are was were be been being has have had do does did can could should would will may might must
  not no now then today already still just also again fully completely finally mostly
  and or but so as for of to in on at by with from after since while because into than over
  all every each some any most many few more several subset number portion small large certain
  everything everyone anything nothing something things thing everything's
  issue issues problem problems incident incidents outage outages disruption disruptions situation matter
  system systems service services platform infrastructure functionality operations components component
  performance error errors rate rates levels level metrics production fix fixes cause
  affecting affected impacting impacted closing resolved resolve identified ok okay fine good well
  work works worked working normally properly correctly usual expected normal back up online available
  operational live restored green healthy`
    .split(/\s+/)
    .filter(Boolean),
);

/** Whether `words` name something concrete: a word that is neither empty nor a person. */
function namesSomething(words: readonly string[]): boolean {
  return words.some((w) => !emptyWords.has(w) && !peopleWords.test(w) && !/^\d/.test(w));
}

/** Clauses: a sentence split at conjunctions, so "X, so we are closing this" keeps X apart. */
function clausesOf(sentence: string): string[] {
  return sentence
    .split(
      /,|\b(?:and|but|so|because|after|since|while|once|until|which)\b|\bas\b(?!\s+(?:usual|expected|normal|before|well|quickly))/i,
    )
    .map((c) => c.trim())
    .filter(Boolean);
}

// ── Works again ─────────────────────────────────────────────────────────

/** Things working (again): the cue, after which nothing is needed; what works comes before it. */
const recoveryCue = new RegExp(
  [
    String.raw`(?<!\b(?:try|tried|trying|fail|fails|failed|happen|happens|happened|occur|occurs|occurred|down|broke|breaks|later|them|it)\s+)\bagain\b`,
    String.raw`\bback to normal\b`,
    String.raw`\breturned to normal\b`,
    String.raw`\bback (?:up|online|on)\b`,
    String.raw`(?:\b(?:is|are)|'re|’re|'s|’s) back\b`,
    String.raw`\b(?:restored|recovered|resumed|restarted)\b`,
    String.raw`\bcaught up\b`,
    String.raw`\bup to date\b`,
    String.raw`\bno longer\b`,
    String.raw`\bfully operational\b`,
    String.raw`\bstable\b`,
    String.raw`\b(?:is|are|was|were|has been|have been|now) fixed\b`,
    String.raw`\b(?:work|works|worked|working|load|loads|loaded|loading|run|runs|running|open|opens|sync|syncs|syncing|upload|uploads|arrive|arrives|arriving|go out|goes out|going out|go through|goes through|going through|print|prints|start|starts)\b[^.!?,]{0,30}?\b(?:normally|as (?:usual|expected|normal)|properly|correctly|quickly|on time|within seconds)\b`,
    String.raw`\b(?:has|have) (?:now )?been (?:sent|delivered|processed|imported|corrected|removed|refunded|paid)\b`,
    String.raw`\b(?:has|have) (?:now |all )?(?:arrived|landed|gone out|come through|completed|finished)\b`,
    String.raw`\b(?:started|starting|begun|began) (?:to )?(?:arriv|work|com|go|load|sync|send|flow|land)\w*`,
    String.raw`\b(?:is|are) now (?:available|live|working|open|visible|showing|accepted)\b`,
    String.raw`\bnow (?:work|load|open|appear|arriv|sync|show|run|go|play|print|reach|start)\w*`,
  ].join('|'),
  'gi',
);

/**
 * Whether a clause says that something named works again: the cue, and a
 * thing before it. For a closing message, jargon names nothing customers
 * use ("the pods have been restarted"); in an open one, jargon has its own
 * finding already.
 */
function recoveryIn(clause: string, closing: boolean): boolean {
  for (const m of clause.matchAll(recoveryCue)) {
    const before = clause.slice(0, m.index);
    if (namesSomething(wordsIn(closing ? withoutBuiltInJargon(before) : before))) return true;
  }
  return false;
}

/** Whether the message says what works again ("Card payments work again"), not only that "the issue is resolved". */
export function statesRecovery(text: string): boolean {
  return statementsOf(text).some((s) => clausesOf(s).some((c) => recoveryIn(c, true)));
}

// ── For whom ────────────────────────────────────────────────────────────

const scopePatterns: readonly RegExp[] = [
  // People ("our team" and the like are taken out first: that is us).
  new RegExp(`\\b(?:${people})(?!\\w)`, 'i'),
  /\b(?:for|to) (?:everyone|everybody|anyone|all of you)\b/i,
  // A place: "in Europe", "in the EU", "across Asia".
  /\b(?:in|across) (?:the )?[A-Z][\w-]*/,
];

/** Whether the message says for whom (people, "you", "for all", a region), outside courtesy. */
const ourselves =
  /\bour\s+(?:\w+\s+)?(?:teams?|staff|agents?|engineers?|people|admins?|administrators?|developers?)\b/gi;

/** "for all accounts", "at every gym": a quantifier over things customers have, not "all systems". */
const everyThing = /\b(?:for|at|in|across|to|on) (?:all|every|each) ((?:[\w'’-]+\s*){1,3})/gi;

export function statesScope(text: string): boolean {
  return statementsOf(text)
    .map((s) => s.replace(ourselves, ' '))
    .some(
      (s) =>
        scopePatterns.some((p) => p.test(s)) ||
        [...s.matchAll(everyThing)].some((m) => namesSomething(wordsIn(m[1] ?? ''))),
    );
}

// ── What customers experience ───────────────────────────────────────────

/** What customers can observe: things failing, slow, late, missing, wrong, stopped. */
const impactTerms = [
  'fail(?:s|ed|ing|ures?)?',
  'errors?',
  'slow(?:er|ly|ness)?',
  'delay(?:s|ed)?',
  'late',
  'unavailable',
  'unreachable',
  'unresponsive',
  'down',
  'outage',
  'offline',
  'time(?:s|d)? out',
  'timing out',
  'timeouts?',
  'unable',
  'cannot',
  "can't",
  'can’t',
  'can not',
  "couldn't",
  'could not',
  'not (?:be )?(?:able|available|working|loading|load|receive|received|receiving|arrive|arrived|arriving|sent|send|sending|delivered|processed|shown?|appear|appearing|updat(?:e|ed|ing)|sync(?:ed|ing)?|accessible|reachable|possible|responding|complete|completing|finish|finished|go through|going through|saved|charged)',
  "(?:won't|doesn't|don't|didn't|isn't|aren't|hasn't|haven't|won’t|doesn’t|don’t|didn’t)\\s+(?:\\w+\\s+)?(?:load|open|work|start|send|sync|save|update|show|appear|arrive|connect|respond|go through|complete|finish|refresh|display|print|reach)",
  '(?:is|are|was|were) not \\w+ing',
  "(?:isn't|aren't|wasn't|weren't|isn’t|aren’t|wasn’t|weren’t) \\w+ing",
  'missing',
  'stuck',
  'stopped',
  'paused',
  'queued',
  'on hold',
  'interrupted',
  'disconnect(?:s|ed|ions?)?',
  'lost',
  'drop(?:s|ped|ping)?',
  'duplicated?',
  'duplicates',
  'twice',
  'incorrect',
  'wrong',
  'blank',
  'empty',
  'frozen',
  'freez(?:es|ing)',
  'hang(?:s|ing)?',
  'crash(?:es|ed|ing)?',
  'broken?',
  'broke',
  'declined',
  'blocked',
  'locked out',
  'sign(?:ed)? out',
  'logged out',
  'out of (?:date|order)',
  'outdated',
  'stale',
  'behind',
  'security warnings?',
  'longer than usual',
  'wait(?:s|ing)? (?:up to|longer|much longer|more than|over)',
  '(?:takes?|taking|took) (?:a long time|too long|ages|longer|much longer|up to|several|[0-9])',
  'work(?:s|ing)? (?:normally|again|as expected|as usual)',
  'normally',
  'as usual',
  'no longer',
];
const impactPattern = new RegExp(`\\b(?:${impactTerms.join('|')})(?![\\w’'])`, 'i');

/** "is affecting card payments" (a thing), not "is affecting some users" (only people). */
const affectsPattern = /\b(?:affect|affects|affecting|impact|impacts|impacting)\s+([^.!?;:,]{1,80})/gi;
/** "Card payments are affected", "Bookings made by phone are not affected". */
const affectedPattern =
  /([^.!?;:,]{1,80}?)\b(?:is|are|was|were|be|been)\s+(?:not\s+)?(?:affected|impacted)\b/gi;
/** What still works tells customers the edge of the problem. */
const stillWorksPattern =
  /\b(?:remains?|remained|stays?|(?:is|are) still|still)\s+(?:\w+\s+)?(?:available|up|online|working|works?|unaffected|accessible|open|reachable|loads?|go(?:es)? through)\b|\b(?:keeps?|continues?) (?:to )?work|\bunaffected\b|\bnot affected\b/i;
/** "You may see older prices": a concrete thing seen, not "may experience issues". */
const maySeePattern =
  /\b(?:may|might|could|will|can|would)\s+(?:also\s+)?(?:see|notice|get|receive|find|encounter|be (?:shown|asked|charged|logged out|signed out|sent))\s+([^.!?;:,]{1,60})/gi;
/** "trouble joining meetings", "problems uploading files": the activity names the impact. */
const troubleDoingPattern =
  /\b(?:issues?|problems?|trouble|difficult(?:y|ies))\s+(?:with\s+|when\s+|while\s+)?(?!affecting|impacting|causing)\w+ing\b/i;
/** "the unlock problem", "login errors": the thing before the trouble names what is affected. */
const thingProblemPattern =
  /\b([a-z][\w-]{0,40}) (?:problems?|issues?|errors?|delays?|failures?|faults?)\b/gi;
const notAThing =
  /^(?:a|an|the|this|that|these|those|our|your|their|its|some|any|no|one|two|few|minor|major|small|big|serious|technical|intermittent|ongoing|current|recent|known|potential|possible|unexpected|underlying|temporary|reported|new|further|other|similar|same|connectivity|performance|network|stability|service|system|systems|platform|infrastructure|internal|general|various|several|many|more)$/;

function thingInTrouble(sentence: string): boolean {
  for (const m of sentence.matchAll(thingProblemPattern)) {
    const word = (m[1] ?? '').toLowerCase();
    if (!notAThing.test(word) && !emptyWords.has(word) && !peopleWords.test(word)) return true;
  }
  return false;
}

/** "Reports show yesterday's numbers", "pages show “no updates”". */
const showsWrongPattern =
  /\b(?:show|return|display|give)(?:s|ing)?\W+(?:\w+\W+)?(?:yesterday's|yesterday’s|old|older|outdated|stale|empty|zero|the wrong|wrong|incorrect|no|nothing|an error)\b/i;

const vagueObjects =
  /^(?:issues?|problems?|difficult(?:y|ies)|disruptions?|degradation|inconvenience|hiccups?|interruptions?|trouble|degraded|intermittent|some|minor|technical)$/;

function thingsNamedIn(pattern: RegExp, sentence: string, group: (m: RegExpMatchArray) => string): boolean {
  for (const m of sentence.matchAll(pattern)) {
    const words = wordsIn(group(m));
    const first = words.find((w) => !emptyWords.has(w));
    if (first !== undefined && !vagueObjects.test(first) && namesSomething(words)) return true;
  }
  return false;
}

/**
 * Whether the message says what customers experience: something failing,
 * slow, missing or wrong; a thing that is affected; what still works; what
 * they may see; or, once fixed, what works again. Vague phrases are left
 * out first, so "something is wrong" says nothing.
 */
export function statesImpact(text: string): boolean {
  const statements = statementsOf(text).map((s) =>
    [...vaguePatterns, ...emptyPhrases].reduce((t, p) => t.replace(p, ' '), s),
  );
  return statements.some(
    (s) =>
      impactPattern.test(s) ||
      stillWorksPattern.test(s) ||
      troubleDoingPattern.test(s) ||
      showsWrongPattern.test(s) ||
      thingInTrouble(s) ||
      thingsNamedIn(affectsPattern, s, (m) => m[1] ?? '') ||
      thingsNamedIn(affectedPattern, s, (m) => m[1] ?? '') ||
      thingsNamedIn(maySeePattern, s, (m) => m[1] ?? '') ||
      clausesOf(s).some((c) => recoveryIn(c, false)),
  );
}

/** Phrases that use an impact word but say nothing of what customers experience. */
const emptyPhrases: readonly RegExp[] = [
  /\bwhat(?:'s|’s| is| was| went) wrong\b/gi,
  // Referring back to "the outage" or "this issue" names nothing that fails.
  /\b(?:the|this|that) (?:outage|incident|issue|problem|failure)\b/gi,
  // Causes and metrics are not what customers experience.
  /\b(?:power|hardware|disk|server|network|electrical|equipment) (?:failures?|faults?|outages?)\b/gi,
  /\b(?:error|failure|success|drop) rates?\b/gi,
  // A supplier's outage is a cause; what it does to customers is the impact.
  /\b(?:provider|supplier|vendor|carrier|partner|hosting company)\b[^.!?]{0,20}?\b(?:outages?|faults?|problems?|issues?)\b/gi,
];

// ── Vague ───────────────────────────────────────────────────────────────

/** Wording that sounds like news but tells a customer nothing. */
const vaguePatterns: readonly RegExp[] = [
  /\bexperienc\w*\s+(?:some\s+|intermittent\s+|minor\s+|technical\s+|an?\s+)?(?:issues?|problems?|difficult(?:y|ies)|disruptions?|degradation|inconvenience|hiccups?)\b/gi,
  /\b(?:may|might|could) be (?:affected|impacted)\b/gi,
  /\btechnical (?:issues?|difficult(?:y|ies)|problems?|glitch(?:es)?)\b/gi,
  /\bservice (?:disruption|degradation|issues?)\b/gi,
  /\bdegraded (?:performance|experience|service)\b/gi,
  /\b(?:an|some) (?:issue|problem|incident) (?:with|affecting|impacting)\b/gi,
  /\bsomething(?:'s|’s| is)? (?:not right|wrong|off|up)\b/gi,
  /\breport(?:s|ed|ing)? (?:of )?(?:some |intermittent )?(?:issues?|problems?|difficult(?:y|ies))\b/gi,
  /\b(?:having|has|have|had|seeing|facing)\s+(?:some |intermittent |minor |a few |ongoing )?(?:issues?|problems?|difficult(?:y|ies))\b(?!\s+(?:with\s+|when\s+)?\w+ing\b)/gi,
  /\b(?:things|everything|all) (?:look|looks|are looking|is looking|seem|seems|are) (?:better|good|fine|normal|ok|okay|healthy|stable)\b/gi,
  /\b(?:connectivity|performance|network|stability) (?:issues?|problems?)\b/gi,
];

/** The first vague phrase of the message (outside courtesy), if any. */
export function findVague(text: string): string | null {
  for (const s of statementsOf(text)) {
    for (const p of vaguePatterns) {
      p.lastIndex = 0;
      const m = p.exec(s);
      p.lastIndex = 0;
      if (m) return m[0];
    }
  }
  return null;
}

// ── When they hear next ─────────────────────────────────────────────────

/** When they will hear next, or when a fix is expected. */
const nextUpdatePatterns: readonly RegExp[] = [
  /\bnext update\b/i,
  /\b(?:another|an|further|more|the next|a final|final) updates?\b[^.!?]*\b(?:by|at|in|within|before|around|no later than)\b/i,
  /\bupdates? (?:you |again |here )?(?:by|at|in|within|before|around|every)\b/i,
  /\bevery (?:\d+|few|couple of) (?:min\w*|hours?)\b/i,
  /\b\d{1,2}:\d{2}\b/,
  /\b(?:by|at|before|around) \d{1,2}\s*(?:am|pm)\b/i,
  /\b(?:by|at|before|around|until) (?:noon|midnight|end of (?:the )?day|tomorrow|tonight|this (?:afternoon|evening|morning))\b/i,
  /\bwithin (?:the next |the )?(?:\d+|an?|one|two|half an)\s*(?:min|mins|minutes?|hours?|hrs?|hour)\b/i,
  /\bin (?:about |around |roughly )?(?:\d+|an?|one|two|half an)\s*(?:min|mins|minutes?|hours?|hrs?)\b/i,
  /\bETA:?\s*(?:\d|~|about|around|in\b|of\b)/i,
  /\b(?:expect|expected|expecting|estimate[ds]?|ETA)\b[^.!?]*\b(?:fix|fixed|resolv\w*|restor\w*|back|complete\w*|finish\w*|normal)\b/i,
  /\b(?:fix|fixed|resolv\w*|restor\w*|back to normal|complete\w*)\b[^.!?]*\b(?:by|within|before) (?:\d|the end|tomorrow|tonight|noon|midnight)/i,
];

export function statesNextUpdate(text: string): boolean {
  return nextUpdatePatterns.some((p) => p.test(text));
}
