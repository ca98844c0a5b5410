import type { ValidationError } from 'class-validator';

/** Flattens class-validator errors into one "path: message; message" line per bad value. */
export function validationProblems(errors: readonly ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    const messages = [...new Set(Object.values(error.constraints ?? {}))];
    const own = messages.length === 0 ? [] : [`${path}: ${messages.join('; ')}`];
    return [...own, ...validationProblems(error.children ?? [], path)];
  });
}
