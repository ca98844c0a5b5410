/** What the worker does when its consumer crashed beyond kafkajs's own restarts. */
export const FATAL_ERROR_HANDLER = Symbol('FATAL_ERROR_HANDLER');
export type FatalErrorHandler = (error: Error) => void;
