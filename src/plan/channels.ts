/**
 * The `channels:` section of crier.yaml: named provider instances with
 * their settings, limits and fallback. Each provider's settings are its
 * module's (src/channels/); this file only puts them together. Secrets are
 * written `env:NAME` and resolved from an environment map passed in; the
 * resolved values live only in memory and are never logged
 * (`describeChannels` gives a safe view).
 */
import { z } from 'zod';
import { type ChannelType, channelModules, channelTypes, moduleOf } from '../channels/registry.ts';
import { isSubscriberKind, subscriberKinds } from '../channels/types.ts';

type Modules = typeof channelModules;
/** One channel's settings, as parsed: the union of every module's own. */
export type ChannelSettings = { [T in ChannelType]: z.output<Modules[T]['schema']> }[ChannelType];
type ChannelSettingsInput = { [T in ChannelType]: z.input<Modules[T]['schema']> }[ChannelType];

const schemas = channelTypes.map((t) => channelModules[t].schema);
/** Any channel, by its `type`: each module's settings schema (src/channels/registry.ts). */
export const ChannelSettings = z.discriminatedUnion(
  'type',
  schemas as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<ChannelSettings, ChannelSettingsInput>;

export const channelName = /^[a-z][a-z0-9_-]{0,62}$/;

export const ChannelsSection = z
  .record(
    z.string().regex(channelName, 'channel names are lowercase letters, digits, - and _'),
    ChannelSettings,
  )
  .superRefine((channels, ctx) => {
    for (const [name, settings] of Object.entries(channels)) {
      if ('broadcast' in (moduleOf(settings.type)?.reach ?? {})) {
        // Its deliveries are filed under its name, beside the subscriber kinds' (docs/adr/0010).
        if (isSubscriberKind(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `a ${settings.type} channel posts to its own account, so it cannot be named like a kind of subscriber (${subscriberKinds.join(', ')})`,
          });
        }
        if (settings.fallback !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [name, 'fallback'],
            message: `a ${settings.type} channel posts to its own account: no other channel can stand in for it`,
          });
        }
        continue;
      }
      if (settings.fallback === undefined) continue;
      if (settings.fallback === name) {
        ctx.addIssue({
          code: 'custom',
          path: [name, 'fallback'],
          message: 'a channel cannot fall back to itself',
        });
      } else if (!(settings.fallback in channels)) {
        ctx.addIssue({
          code: 'custom',
          path: [name, 'fallback'],
          message: `no channel named "${settings.fallback}"`,
        });
      }
    }
  });
export type ChannelsSection = z.infer<typeof ChannelsSection>;
/** The section as written, before defaults apply. */
export type ChannelsInput = z.input<typeof ChannelsSection>;

export interface PlanProblem {
  path: string;
  message: string;
}

/** Replaces every `env:NAME` string with the variable's value; lists each missing one by path. */
export function resolveSecrets(
  section: ChannelsSection,
  env: Readonly<Record<string, string | undefined>>,
  basePath = 'channels',
): { channels: ChannelsSection; problems: PlanProblem[] } {
  const problems: PlanProblem[] = [];
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string' && value.startsWith('env:')) {
      const name = value.slice(4);
      const resolved = env[name];
      if (resolved === undefined || resolved === '') {
        problems.push({ path, message: `environment variable ${name} is not set` });
        return '';
      }
      return resolved;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}.${i}`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    }
    return value;
  };
  return { channels: walk(section, basePath) as ChannelsSection, problems };
}

/** A view of the channels safe to show or log: types and limits, no settings that could hold a secret. */
export function describeChannels(
  section: ChannelsSection,
): Record<string, { type: string; fallback?: string }> {
  return Object.fromEntries(
    Object.entries(section).map(([name, s]) => [
      name,
      { type: s.type, ...(s.fallback !== undefined && { fallback: s.fallback }) },
    ]),
  );
}
