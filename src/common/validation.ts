import { type ArgumentMetadata, Param, ParseUUIDPipe, type ValidationError, ValidationPipe } from '@nestjs/common';
import { plainText } from './plain-text.js';
import { getMetadataStorage, type ValidationOptions } from 'class-validator';
import type { FieldCode, Params } from '../i18n/i18n.js';
import { fieldError, type FieldError, invalid } from './errors.js';

/** The one global pipe: unknown fields are refused, types are converted, every field error listed. */
export function validationPipe(): ValidationPipe {
  rememberRuleLookups();
  return new PlainTextValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    // The target and value are read below to name each error's code and parameters; the
    // ValidationErrors themselves are never sent.
    validationError: { target: true, value: true },
    exceptionFactory: (errors) => invalid(flatten(errors)),
  });
}

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
let lookupsRemembered = false;

/**
 * class-validator finds a class's rules, on every validation of every (nested) object, by testing
 * the class against every class that has rules (hundreds here, one `instanceof` each): 2-3% of an
 * issue's CPU in the profile (docs/benchmarks.md). The rules are fixed once the DTO classes are
 * loaded, so each lookup is remembered per class and options; any rule added afterwards (a
 * mapped type defined later) forgets everything remembered.
 */
function rememberRuleLookups(): void {
  if (lookupsRemembered) return;
  lookupsRemembered = true;
  const storage: MetadataStorage = getMetadataStorage();
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let remembered = new WeakMap<object, Map<string, ReturnType<MetadataStorage['getTargetValidationMetadatas']>>>();
  storage.addValidationMetadata = (metadata) => {
    remembered = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}|${always}|${strictGroups}|${groups?.join(',') ?? ''}`;
    let forTarget = remembered.get(target);
    if (!forTarget) remembered.set(target, (forTarget = new Map()));
    let found = forTarget.get(key);
    if (!found) forTarget.set(key, (found = lookUp(target, schema, always, strictGroups, groups)));
    return found;
  };
}

/**
 * The global pipe, with text made plain first (src/common/plain-text.ts): every string of a body
 * or a query is NFC-normalised, and control characters, bidirectional overrides and strings of
 * only invisible characters are refused, in one place rather than on each DTO's text fields.
 */
class PlainTextValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type === 'body' || metadata.type === 'query') && value !== null && typeof value === 'object') {
      const errors: FieldError[] = [];
      value = plainText(value, errors);
      if (errors.length) throw invalid(errors);
    }
    return super.transform(value, metadata);
  }
}

/**
 * A field error's code for a decorator whose default would say too little, e.g.
 * `@Matches(/^\d{8}$/, fieldCode('exact_digits', { count: 8 }))`.
 */
export const fieldCode = (code: FieldCode, params: Params = {}, options: ValidationOptions = {}): ValidationOptions => ({
  ...options,
  context: { code, params },
});

type ParamsOf = (args: unknown[]) => Params;
const none: ParamsOf = () => ({});

/** class-validator's constraint names, as field error codes with their parameters. */
const CONSTRAINT_CODES: Record<string, [FieldCode, ParamsOf]> = {
  isDefined: ['required', none],
  isNotEmpty: ['empty', none],
  isString: ['not_string', none],
  isInt: ['not_integer', none],
  isNumber: ['not_number', none],
  isBoolean: ['not_boolean', none],
  isUuid: ['not_uuid', none],
  isIn: ['not_one_of', ([allowed]) => ({ allowed: (allowed as unknown[]).join(', ') })],
  isEmail: ['not_email', none],
  isObject: ['not_object', none],
  isArray: ['not_array', none],
  isDateString: ['not_date', none],
  isIso8601: ['not_date', none],
  isUrl: ['not_url', none],
  maxLength: ['too_long', ([max]) => ({ max: max as number })],
  minLength: ['too_short', ([min]) => ({ min: min as number })],
  max: ['too_large', ([max]) => ({ max: max as number })],
  min: ['too_small', ([min]) => ({ min: min as number })],
  arrayMaxSize: ['too_many', ([max]) => ({ max: max as number })],
  arrayMinSize: ['too_few', ([min]) => ({ min: min as number })],
  arrayUnique: ['not_unique', none],
  matches: ['invalid_format', none],
  whitelistValidation: ['unknown_field', none],
  nestedValidation: ['not_object', none],
};

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const types = Object.keys(error.constraints ?? {});
    const missing = error.value === undefined && !types.includes('whitelistValidation');
    // An absent field is one error, `required`, not one per rule it would have had to meet.
    const own = missing && types.length ? [fieldError(field, 'required')] : types.map((type) => toFieldError(error, field, type));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

function toFieldError(error: ValidationError, field: string, type: string): FieldError {
  const context = error.contexts?.[type] as { code?: FieldCode; params?: Params } | undefined;
  if (context?.code) return fieldError(field, context.code, context.params ?? {});
  const known = CONSTRAINT_CODES[type];
  if (!known) return fieldError(field, 'not_valid', { rule: type });
  const [code, params] = known;
  return fieldError(field, code, params(constraintArguments(error.target, error.property, type)));
}

/** The arguments a decorator was given (`@MaxLength(200)` gives [200]), from class-validator's metadata. */
function constraintArguments(target: object | undefined, property: string, type: string): unknown[] {
  if (!target) return [];
  const storage = getMetadataStorage();
  const metadata = storage.getTargetValidationMetadatas(target.constructor, '', true, false);
  const found = metadata.find(
    (m) => m.propertyName === property && (m.type === type || storage.getTargetValidatorConstraints(m.constraintCls)[0]?.name === type),
  );
  return found?.constraints ?? [];
}

/** `@UuidParam('id')`: a malformed id is a 400 naming the parameter, never a database error. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => invalid([fieldError(name, 'not_uuid')]),
    }),
  );
