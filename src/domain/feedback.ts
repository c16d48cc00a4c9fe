/**
 * The rules of feedback on the communication: what a customer's comment may
 * hold, how many page votes one address may cast, and what a team rating is.
 * Pure: the services apply them.
 */

/** The longest comment a customer may leave with a vote, in characters. */
export const maxCommentLength = 1000;
/** The longest comment the team may leave with a rating, in characters. */
export const maxTeamCommentLength = 4000;
/** New votes one address may cast on the status page's updates within `pageVoteWindowMs`. */
export const pageVotesPerAddress = 20;
export const pageVoteWindowMs = 60 * 60_000;

/**
 * Characters no comment needs and hostile ones use: control characters other than tab and
 * line breaks, the Unicode bidirectional overrides that make text read otherwise than it is
 * stored, and unpaired surrogates.
 */
const hostile = /(?![\t\n\r])\p{Cc}|[\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** What is wrong with a comment, or undefined when it may be kept. */
export function commentProblem(text: string, max = maxCommentLength): string | undefined {
  if (text.length > max) return `at most ${max} characters (this one has ${text.length})`;
  if (hostile.test(text) || !text.isWellFormed())
    return 'control characters, direction overrides or broken characters are not accepted';
  return undefined;
}

/** A comment as kept: trimmed, line breaks made plain; empty is none. */
export function normalComment(text: string | undefined): string | null {
  const trimmed = text?.replace(/\r\n?/g, '\n').trim();
  return trimmed ? trimmed : null;
}

/** The parts of a vote form's `helpful` field that mean yes and no. */
export function helpfulOf(value: unknown): boolean | undefined {
  if (value === true || value === 'yes' || value === 'true' || value === '1') return true;
  if (value === false || value === 'no' || value === 'false' || value === '0') return false;
  return undefined;
}
