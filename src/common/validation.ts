import { Param, ParseUUIDPipe, type ValidationError, ValidationPipe } from '@nestjs/common';
import { type FieldError, invalid } from './errors.js';

/** The one global pipe: unknown fields are refused, types are converted, every field error listed. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalid(flatten(errors)),
  });
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith('property ') ? `unknown field ${field}` : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** `@UuidParam('id')`: a malformed id is a 400 naming the parameter, never a database error. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => invalid([{ field: name, message: `${name} must be a UUID` }]),
    }),
  );
