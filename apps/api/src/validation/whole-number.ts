/**
 * class-transformer's `@Transform` for an integer query parameter: a string of digits becomes its
 * number; anything else stays as it came, so that `@IsInt` refuses it with the parameter named.
 */
export const wholeNumber = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);
