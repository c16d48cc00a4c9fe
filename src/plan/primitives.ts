/** Value shapes the plan's sections share: durations, names, severity names. */
import { z } from 'zod';
import { durationPattern } from '../domain/duration.ts';

export const Duration = z
  .string()
  .regex(durationPattern, 'a duration such as 30s, 15m, 2h, 1d or 1h30m')
  .describe('A duration: 30s, 15m, 2h, 1d, 1w or combined such as 1h30m.');

export const Name = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, - and _, starting with a letter');

export const SeverityName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'letters, digits, - and _, starting with a letter (SEV1)');
