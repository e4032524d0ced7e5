import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { applyDecorators } from '@nestjs/common';
import { ValidateBy, type ValidationArguments } from 'class-validator';
import { fieldCode } from '../common/validation.js';

/**
 * What a password must be beyond its length (docs/decisions.md 37): no control characters, not
 * one character repeated, and not guessable by zxcvbn-ts (the maintained TypeScript port of
 * Dropbox's estimator: common-password lists, dictionaries, keyboard patterns, dates, l33t) with
 * a score of at least 3 of 4, counting the account's own email and name as known words.
 */
export const MIN_PASSWORD_SCORE = 3;

// Built once, on the first password checked: the dictionaries hold about 25 MB of heap (35 MB
// resident), which a service that sets a password a few times a day should not carry from its
// start (docs/decisions.md 88). Loaded synchronously because class-validator's rule is; the
// packages ship CommonJS. Only the first 100 characters are scored (a longer password is not
// weaker, and the estimator's cost grows with length).
let estimator: ZxcvbnFactory | undefined;
function passwordEstimator(): ZxcvbnFactory {
  if (!estimator) {
    const require = createRequire(import.meta.url);
    const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    const en = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
    estimator = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
      maxLength: 100,
    });
  }
  return estimator;
}

const CONTROL = /\p{Cc}/u;
const ONE_CHARACTER = /^(.)\1*$/su;

export function passwordScore(password: string, knownWords: string[] = []): number {
  return passwordEstimator().check(password, knownWords).score;
}

/** The account's own words: the email's parts and the name's. */
function knownWords(args: ValidationArguments): string[] {
  const object = args.object as { email?: unknown; name?: unknown };
  return [object.email, object.name]
    .filter((v): v is string => typeof v === 'string')
    .flatMap((v) => [v, ...v.split(/[@.\s_-]+/)])
    .filter((w) => w.length >= 3);
}

/** The password rules as field validators, each with its own code in the field error. */
export const AcceptablePassword = () =>
  applyDecorators(
    ValidateBy({ name: 'passwordControlCharacters', validator: { validate: (v: unknown) => typeof v !== 'string' || !CONTROL.test(v), defaultMessage: () => 'password_control_characters' } }, fieldCode('password_control_characters')),
    ValidateBy({ name: 'passwordOneCharacter', validator: { validate: (v: unknown) => typeof v !== 'string' || !ONE_CHARACTER.test(v), defaultMessage: () => 'password_one_character' } }, fieldCode('password_one_character')),
    ValidateBy(
      {
        name: 'passwordGuessable',
        validator: {
          validate: (v: unknown, args?: ValidationArguments) =>
            typeof v !== 'string' || v.length < 12 || CONTROL.test(v) || ONE_CHARACTER.test(v) || passwordScore(v, args ? knownWords(args) : []) >= MIN_PASSWORD_SCORE,
          // Non-empty: class-validator attaches the field code (the context) only to a non-empty message.
          defaultMessage: () => 'password_guessable',
        },
      },
      fieldCode('password_guessable'),
    ),
  );
