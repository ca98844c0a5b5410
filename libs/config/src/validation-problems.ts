import type { ValidationError } from 'class-validator';

/** Flattens class-validator errors into "path: message" lines. */
export function validationProblems(errors: readonly ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...validationProblems(error.children ?? [], path)];
  });
}
