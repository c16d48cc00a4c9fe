/** The one mapping from error codes to HTTP statuses, and the one error body. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError, z } from 'zod';
import { CrierError, type ErrorCode, errorCodes } from '../domain/errors.ts';
import { databaseFault } from '../store/faults.ts';
import { problemsOfMeantForm } from './statuspage-body.ts';

export const httpStatusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  malformed_request: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  csv_invalid: 400,
  unauthenticated: 401,
  signature_invalid: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  component_not_found: 404,
  component_group_not_found: 404,
  incident_not_found: 404,
  update_not_found: 404,
  maintenance_not_found: 404,
  token_not_found: 404,
  ingest_key_not_found: 404,
  user_not_found: 404,
  user_exists: 409,
  invitation_invalid: 404,
  sign_in_failed: 401,
  csrf_failed: 403,
  transition_not_allowed: 409,
  conflict: 409,
  approval_required: 409,
  not_an_approver: 403,
  self_approval: 403,
  approval_reason_required: 422,
  lint_failed: 422,
  plan_invalid: 422,
  audience_not_found: 422,
  template_not_found: 422,
  template_failed: 422,
  rate_limited: 429,
  subscriber_not_found: 404,
  delivery_not_found: 404,
  channel_not_offered: 400,
  not_supported_yet: 400,
  database_unavailable: 503,
  internal_error: 500,
};

/** How long a client should wait before trying again after a 503 for the database (seconds). */
export const DATABASE_RETRY_AFTER_S = 5;

/** The headers an error's answer carries besides its body: Retry-After for a database away. */
export function errorHeaders(code: ErrorCode): Record<string, string> {
  return code === 'database_unavailable' ? { 'retry-after': String(DATABASE_RETRY_AFTER_S) } : {};
}

/** The one error body, as the OpenAPI document declares it for every operation. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(errorCodes).describe('One of the codes in docs/errors.md, each with how to fix it.'),
      message: z.string(),
      details: z.unknown().optional(),
      request_id: z.string(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** A problem as Zod reports it, or as fastify-type-provider-zod hands it on (code, path, and the rest). */
interface Issue {
  code?: string;
  path?: PropertyKey[];
  message: string;
  keys?: unknown;
  errors?: unknown;
}

const unknownFieldMessage =
  'Crier does not know this field (/api/v1/openapi.json lists what this body takes)';

/**
 * One `{ path, message }` per problem: a field Crier does not know is named
 * on its own (Zod reports them together, as `unrecognized_keys`), and of a
 * Statuspage body that is neither bare nor wrapped, the problems are those
 * of the form the client meant.
 */
function issueDetails(issues: readonly Issue[], at: readonly PropertyKey[]): Detail[] {
  return issues.flatMap((i) => {
    const path = [...at, ...(i.path ?? [])];
    if (i.code === 'unrecognized_keys' && Array.isArray(i.keys))
      return i.keys.map((key) => ({
        path: [...path, key].map(String).join('.'),
        message: unknownFieldMessage,
      }));
    const meant = i.code === 'invalid_union' ? problemsOfMeantForm<Issue>(i) : undefined;
    if (meant) return issueDetails(meant, path);
    return [{ path: path.map(String).join('.'), message: i.message }];
  });
}

interface Detail {
  path: string;
  message: string;
}

/** A validation error whose message names the unknown fields, when those are all that is wrong. */
function validationFailed(what: string | undefined, details: Detail[]): CrierError {
  const subject = what ? `The request ${what}` : 'The request';
  const unknown = details.every((d) => d.message === unknownFieldMessage);
  const named = details.slice(0, 10).map((d) => d.path);
  if (details.length > named.length) named.push(`and ${details.length - named.length} more`);
  const message =
    details.length > 0 && unknown
      ? `${subject} has fields Crier does not know: ${named.join(', ')}. Nothing was changed.`
      : `${subject} is not valid.`;
  return new CrierError('validation_failed', message, details);
}

/** Turns anything thrown into a CrierError a client can act on; unknown errors become internal_error. */
export function toCrierError(err: unknown): CrierError {
  if (err instanceof CrierError) return err;
  if (err instanceof ZodError) return validationFailed(undefined, issueDetails(err.issues as Issue[], []));
  const fe = err as Partial<FastifyError> & { validation?: unknown };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({
      ...v.params,
      code: v.keyword,
      path: String(v.instancePath).split('/').filter(Boolean),
      message: v.message ?? 'not valid',
    }));
    return validationFailed(
      fe.validationContext ?? 'input',
      issueDetails(issues, fe.validationContext ? [fe.validationContext] : []),
    );
  }
  if (fe.validation)
    return new CrierError('validation_failed', fe.message ?? 'The request is not valid.', fe.validation);
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CrierError('payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new CrierError('unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new CrierError('malformed_request', 'The body is empty or not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new CrierError('malformed_request', 'The Content-Length header does not match the body.');
  }
  if (err instanceof SyntaxError || fe.statusCode === 400) {
    return new CrierError('malformed_request', 'The request could not be read.');
  }
  if (fe.statusCode === 413) return new CrierError('payload_too_large', 'The request body is too large.');
  const fault = databaseFault(err);
  if (fault) {
    return new CrierError(
      'database_unavailable',
      'The database is not available right now; nothing was changed. Try again shortly.',
    );
  }
  if (fe.statusCode === 415)
    return new CrierError('unsupported_media_type', 'The content type is not supported.');
  if (fe.statusCode === 404) return new CrierError('not_found', 'Not found.');
  if (fe.statusCode === 429) return new CrierError('rate_limited', 'Too many requests; try again later.');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new CrierError('malformed_request', fe.message ?? 'The request could not be handled.');
  }
  return new CrierError('internal_error', 'Something went wrong on our side. It has been logged.');
}

/** Logs an error answered to a client: a database away by its cause, other 5xx in full. */
export function logAnswered(request: FastifyRequest, err: unknown, e: CrierError): void {
  if (e.code === 'database_unavailable')
    request.log.warn({ cause: databaseFault(err)?.cause }, 'the database is unavailable; answered 503');
  else if (httpStatusOf[e.code] >= 500) request.log.error({ err }, 'request failed');
  else request.log.info({ code: e.code }, e.message);
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const e = toCrierError(err);
  const status = httpStatusOf[e.code];
  logAnswered(request, err, e);
  const body: ErrorBody = {
    error: {
      code: e.code,
      message: e.message,
      ...(e.details !== undefined && { details: e.details }),
      request_id: String(request.id),
    },
  };
  return reply
    .code(status)
    .headers({ 'content-type': 'application/json; charset=utf-8', ...errorHeaders(e.code) })
    .send(body);
}
