/**
 * Lint for external messages, against the anti-patterns customers suffer
 * during incidents: no word on what they experience, no word on when they
 * will hear next, a closing message that does not say what works again or
 * for whom, engineering jargon, vague wording, hard reading, and text too
 * long for the channel (or, on a call, too long to listen to). Every problem says what to change. How far it
 * agrees with a careful reader is measured on the labelled corpus in
 * test/fixtures/messages (docs/plan.md).
 */
import {
  type ChannelKind,
  type ChannelLimits,
  checkLength,
  defaultLimits,
  type LengthCheck,
} from './channel-limits.ts';
import { type IncidentStatus, isOpen } from './incidents.ts';
import { englishNames, type PageLanguage, pageLanguages } from './languages.ts';
import { findJargon } from './lint-jargon.ts';
import { findVague, statesImpact, statesNextUpdate, statesRecovery, statesScope } from './lint-statements.ts';
import { fleschKincaidGrade, wordsOf } from './readability.ts';
import { readingLevelProblem } from './readability-languages.ts';
import type { Counting } from './social-text.ts';

export const lintCodes = [
  'missing_impact',
  'missing_next_update',
  'missing_recovery',
  'missing_scope',
  'vague',
  'jargon',
  'reading_level',
  'too_long',
] as const;
export type LintCode = (typeof lintCodes)[number];

export interface LintProblem {
  code: LintCode;
  message: string;
  /** The words that triggered it, when there are some. */
  match?: string;
  /** The channel kind or variant the problem is about, when it is about one. */
  channel?: string;
  /** The language of the translation it is about; absent for the words in the page's language. */
  language?: string;
}

export interface LintOptions {
  status: IncidentStatus;
  /** Highest Flesch–Kincaid grade allowed. Default 9. */
  maxGrade?: number;
  /** Terms the plan declares internal: host and service names, code names. */
  internalTerms?: readonly string[];
  /** Built-in terms the plan allows (a product named "Cluster"). */
  allowTerms?: readonly string[];
  /** The channel the text goes out on, for its length limit. */
  kind?: ChannelKind | 'email_subject';
  limits?: ChannelLimits;
  /** The provider's own limit in characters, when the channel's module declares one. */
  maxLength?: number | null;
  /** How the provider counts characters (code points unless it says otherwise). */
  counting?: Counting;
  /** The text's language, for how long a call takes to say it; English unless given. */
  language?: string;
}

const defaultMaxGrade = 9;

/** Below this many words there is no reading level to speak of. */
const minWordsForGrade = 12;
/**
 * The Flesch–Kincaid formula was made for passages of a hundred words or
 * more; on one or two sentences a couple of long words (a place, "customers")
 * move the grade by several points. Below this many words a text is held
 * to the limit plus a margin: on the labelled corpus, six of the seven
 * messages the plain limit judged wrongly had fewer than 20 words.
 */
const shortText = 20;
const shortTextMargin = 3;

/** The problem when `text` is too long for `kind` (a call's said at `language`'s pace); null when it fits. */
function lengthProblem(
  text: string,
  kind: ChannelKind | 'email_subject',
  options: LintOptions,
  language: string | undefined,
): LintProblem | null {
  const check = checkLength(
    kind,
    text,
    options.limits ?? defaultLimits,
    options.maxLength ?? null,
    options.counting,
    language,
  );
  return check.ok ? null : tooLong(kind, check);
}

function tooLong(kind: ChannelKind | 'email_subject', check: LengthCheck): LintProblem {
  switch (check.unit) {
    case 'segments':
      return {
        code: 'too_long',
        channel: kind,
        match: `${check.segments} segments`,
        message: `The SMS takes ${check.segments} segments (${check.encoding}); the limit is ${check.limit}. Shorten it.`,
      };
    case 'seconds':
      return {
        code: 'too_long',
        channel: kind,
        match: `${check.seconds} seconds`,
        message: `The call takes about ${check.seconds} seconds to say, and is said twice; the limit is ${check.limit} seconds. Keep what listeners must remember: what fails, for whom, and when they hear next.`,
      };
    case 'characters':
      return {
        code: 'too_long',
        channel: kind,
        match: `${check.length} characters`,
        message: `The ${kind.replace('_', ' ')} text is ${check.length} characters; the limit is ${check.limit}. Shorten it.`,
      };
  }
}

/** Lints one rendered message. An empty list means it may go out. */
export function lintMessage(text: string, options: LintOptions): LintProblem[] {
  const language = pageLanguages.find((l) => l === options.language) ?? 'en';
  if (language !== 'en') return lintInLanguage(text, language, options);
  const problems: LintProblem[] = [];
  const subject = options.kind === 'email_subject';
  const open = isOpen(options.status);

  if (!subject && open) {
    const hasImpact = statesImpact(text);
    const vague = hasImpact ? null : findVague(text);
    if (vague !== null) {
      problems.push({
        code: 'vague',
        match: vague,
        message: `"${vague}" is vague: say what fails or is slow, and for whom.`,
      });
    }
    if (!hasImpact) {
      problems.push({
        code: 'missing_impact',
        message:
          'The message does not say what customers experience. Say what fails, is slow or is unavailable, and for whom (for example: "Card payments fail for some customers in Europe").',
      });
    }
    if (!statesNextUpdate(text)) {
      problems.push({
        code: 'missing_next_update',
        message:
          'The message does not say when customers will hear next or when a fix is expected. Add the next update time (for example: "Next update by 14:30 CET").',
      });
    }
  }

  if (!subject && !open) {
    if (!statesRecovery(text)) {
      problems.push({
        code: 'missing_recovery',
        message:
          'The closing message does not say what works again. Name it (for example: "Card payments work normally again"), not only that the issue is resolved.',
      });
    }
    if (!statesScope(text)) {
      problems.push({
        code: 'missing_scope',
        message:
          'The closing message does not say for whom it works again. Say who (for example: "for all customers", "for customers in Europe", "you can sign in again").',
      });
    }
  }

  problems.push(...jargonProblems(text, options));

  const maxGrade = options.maxGrade ?? defaultMaxGrade;
  const words = wordsOf(text).length;
  if (!subject && words >= minWordsForGrade) {
    const grade = fleschKincaidGrade(text);
    if (grade > maxGrade + (words < shortText ? shortTextMargin : 0)) {
      problems.push({
        code: 'reading_level',
        match: String(grade),
        message: `The reading level is grade ${grade}, above the plan's limit of ${maxGrade}. Use shorter sentences and plainer words.`,
      });
    }
  }

  if (options.kind) {
    const problem = lengthProblem(text, options.kind, options, options.language);
    if (problem) problems.push(problem);
  }
  return problems;
}

function jargonProblems(text: string, options: LintOptions): LintProblem[] {
  return findJargon(text, options).map((j) => ({
    code: 'jargon',
    match: j.match,
    message: `"${j.match}" is ${j.why}; say what customers notice instead, in their words.`,
  }));
}

/**
 * The words of a page whose language is not English: what customers are
 * told is read as its translations are, by the language's own reading
 * formula and each channel's length in it; and for jargon, whose terms
 * (TLS, HTTP 503), shapes (host names, error codes) and the plan's
 * `internal_terms` are not English phrasing. The checks that look for
 * English phrases (the impact, the next update, what works again, for
 * whom, vague wording) would refuse every such message, so they are not run.
 */
function lintInLanguage(text: string, language: PageLanguage, options: LintOptions): LintProblem[] {
  const problems = jargonProblems(text, options);
  if (options.kind !== 'email_subject') {
    const hard = readingLevelProblem(text, language, options.maxGrade ?? defaultMaxGrade);
    if (hard !== null) problems.push({ code: 'reading_level', message: hard });
  }
  if (options.kind) {
    const problem = lengthProblem(text, options.kind, options, language);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * Lints an update's words in another language as the plan's templates in
 * that language are (src/plan/translation-check.ts): without a channel, its
 * reading level by the language's own formula; with one, its length there
 * (an SMS's segments, a call's seconds at the language's pace). The other
 * checks read English phrasing, so they are not run on it.
 */
export function lintTranslated(text: string, language: PageLanguage, options: LintOptions): LintProblem[] {
  const name = englishNames[language];
  if (options.kind === undefined) {
    const hard = readingLevelProblem(text, language, options.maxGrade ?? defaultMaxGrade);
    return hard === null ? [] : [{ code: 'reading_level', language, message: `${name}: ${hard}` }];
  }
  const problem = lengthProblem(text, options.kind, options, language);
  return problem === null ? [] : [{ ...problem, language, message: `${name}: ${problem.message}` }];
}
