/**
 * The closed set of error codes Crier answers with. Every code is public API:
 * it is documented in docs/errors.md, and a test keeps the two in step.
 * Transports map a code to their own status (see src/http/errors.ts).
 */
export const errorCodes = [
  'validation_failed',
  'malformed_request',
  'payload_too_large',
  'unsupported_media_type',
  'csv_invalid',
  'unauthenticated',
  'signature_invalid',
  'forbidden',
  'not_found',
  'route_not_found',
  'method_not_allowed',
  'component_not_found',
  'component_group_not_found',
  'incident_not_found',
  'update_not_found',
  'maintenance_not_found',
  'token_not_found',
  'ingest_key_not_found',
  'user_not_found',
  'user_exists',
  'invitation_invalid',
  'sign_in_failed',
  'csrf_failed',
  'transition_not_allowed',
  'conflict',
  'approval_required',
  'not_an_approver',
  'self_approval',
  'approval_reason_required',
  'lint_failed',
  'plan_invalid',
  'audience_not_found',
  'template_not_found',
  'template_failed',
  'rate_limited',
  'subscriber_not_found',
  'delivery_not_found',
  'channel_not_offered',
  'not_supported_yet',
  'database_unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class CrierError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'CrierError';
    this.code = code;
    this.details = details;
  }
}
