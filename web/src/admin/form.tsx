import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldMessages } from '../api/messages';

/**
 * A labelled field with the API's errors for it next to it (`aria-invalid`, described by them).
 * The browser's own checks (required, pattern, min/max, length) mirror the API's rules from
 * openapi.json; the API decides.
 */
export function Field({ label, name, error, children, hint }: { label: string; name: string; error: unknown; children: ReactNode; hint?: string }) {
  const { t } = useTranslation();
  const messages = fieldMessages(t, error, name);
  const id = `err-${name.replace(/\W/g, '-')}`;
  return (
    <label data-invalid={messages.length > 0 || undefined} aria-describedby={messages.length ? id : undefined}>
      {label}
      {children}
      {hint && <span className="hint">{hint}</span>}
      {messages.length > 0 && (
        <span id={id} className="field-error">
          {messages.join(' ')}
        </span>
      )}
    </label>
  );
}

/** The values of a form, trimmed; empty fields left out. */
export function values(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim()) out[k] = v.trim();
  return out;
}
