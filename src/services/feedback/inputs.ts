import { z } from 'zod';
import { commentProblem, normalComment } from '../../domain/feedback.ts';

/** A comment: bounded, free of control and direction-override characters, trimmed; empty is none. */
export function CommentText(max: number) {
  return z
    .string()
    .superRefine((text, c) => {
      const problem = commentProblem(text, max);
      if (problem) c.addIssue({ code: 'custom', message: problem });
    })
    .transform((text) => normalComment(text) ?? undefined);
}
