/** class-transformer helpers shared by the request DTOs. */

/** Strings arrive trimmed; anything else is left for validation to refuse. */
export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * For PATCH fields: validate when sent. Unlike `@IsOptional()`, an explicit null is validated
 * too, so a required column cannot be nulled.
 */
export const present = (_: object, value: unknown) => value !== undefined;
