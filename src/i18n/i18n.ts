import type { FastifyRequest } from 'fastify';
import i18next, { type TFunction } from 'i18next';
import Negotiator from 'negotiator';
import { readFileSync } from 'node:fs';
import { DEFAULT_LANGUAGE, type Language, LANGUAGES } from './languages.js';

/**
 * The service's words, in English and Bahasa Indonesia. The catalogues are plain i18next JSON
 * files in ./locales (one per language, `{{name}}` placeholders) so the web console can load the
 * same files; docs/api.md says how to add a message.
 */
export { DEFAULT_LANGUAGE, type Language, LANGUAGES };

/** The English catalogue's shape: every key a message may have, checked by the compiler. */
export type Catalogue = typeof import('./locales/en.json', { with: { type: 'json' } });
export type Namespace = keyof Catalogue;
export type MessageKey = { [N in Namespace]: `${N}.${keyof Catalogue[N] & string}` }[Namespace];
export type ProblemCode = keyof Catalogue['problem'];
export type FieldCode = keyof Catalogue['field'];
export type ImportCode = keyof Catalogue['import'];
export type EligibilityCode = keyof Catalogue['eligibility'];
export type AllocationCode = keyof Catalogue['allocation'];

/** The values a message's placeholders take. Numbers stay numbers so a client can format them. */
export type Params = Record<string, string | number>;

export function loadCatalogue(language: Language): Record<string, Record<string, string>> {
  return JSON.parse(readFileSync(new URL(`./locales/${language}.json`, import.meta.url), 'utf8'));
}

const instance = i18next.createInstance();
void instance.init({
  resources: Object.fromEntries(LANGUAGES.map((language) => [language, { translation: loadCatalogue(language) }])),
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  // Synchronous: the catalogues are in memory before the first request.
  initAsync: false,
  // Messages go into JSON, PDFs and SMS, never into HTML: no escaping.
  interpolation: { escapeValue: false },
  returnNull: false,
});
const translators = Object.fromEntries(LANGUAGES.map((language) => [language, instance.getFixedT(language)])) as Record<Language, TFunction>;

/** The message `key` in `language`, its placeholders filled from `params`. */
export function translate(language: Language, key: MessageKey, params: Params = {}): string {
  return translators[language](key, params);
}

/** The word the catalogue has for `key` in `language` (a stored code's label), or undefined. */
export function labelOf(language: Language, namespace: Namespace, key: string): string | undefined {
  const full = `${namespace}.${key}`;
  return instance.exists(full, { lng: language, fallbackLng: false }) ? instance.t(full, { lng: language }) : undefined;
}

/**
 * The language of an answer, from `Accept-Language` (quality values honoured; `id-ID` and
 * `in` count as Indonesian). English when the header is absent or names neither language.
 */
export function negotiateLanguage(acceptLanguage: string | string[] | undefined): Language {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  if (!header) return DEFAULT_LANGUAGE;
  // `in` is the withdrawn ISO 639 code for Indonesian that old Android and Java clients still send.
  const normalised = header.replace(/(^|,)\s*in(?=[-;,\s]|$)/gi, '$1id');
  const chosen = new Negotiator({ headers: { 'accept-language': normalised } }).language([...LANGUAGES]);
  return (chosen as Language | undefined) ?? DEFAULT_LANGUAGE;
}

export const languageOf = (request: Pick<FastifyRequest, 'headers'>): Language => negotiateLanguage(request.headers['accept-language']);

