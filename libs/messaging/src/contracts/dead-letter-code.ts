/** The `x-error-code` of a message sent to the DLQ (contract sections 1 and 2), in one place. */
export const DEAD_LETTER_CODES = ['INVALID_JSON', 'SCHEMA_VIOLATION', 'PROCESSING_FAILED'] as const;
export type DeadLetterCode = (typeof DEAD_LETTER_CODES)[number];

/** The codes a message earns before anything is applied: its bytes or its shape are wrong. */
export type RejectionCode = Exclude<DeadLetterCode, 'PROCESSING_FAILED'>;
