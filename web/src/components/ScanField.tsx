import { forwardRef, lazy, Suspense, useState, type InputHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';

const CameraScanner = lazy(() => import('./CameraScanner'));

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Enter in the field: what a keyboard-wedge scanner sends after the code. */
  onScan: (value: string) => void;
  errors?: string[];
  hint?: string;
};

/**
 * A field a keyboard-wedge scanner types into (code + Enter), that a person can type into too,
 * with a camera button for phones and tablets (@zxing/browser, loaded only when asked for).
 */
export const ScanField = forwardRef<HTMLInputElement, Props>(function ScanField({ label, value, onChange, onScan, errors = [], hint, id, ...rest }, ref) {
  const { t } = useTranslation();
  const [camera, setCamera] = useState(false);
  const inputId = id ?? `scan-${label.replace(/\W+/g, '-').toLowerCase()}`;
  const described = [errors.length ? `${inputId}-error` : '', hint ? `${inputId}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="scan-field">
      <label htmlFor={inputId}>{label}</label>
      <div className="row">
        <input
          ref={ref}
          id={inputId}
          className="scan"
          autoComplete="off"
          spellCheck={false}
          value={value}
          aria-invalid={errors.length > 0}
          aria-describedby={described}
          onChange={(e) => onChange(e.target.value)}
          onFocus={(e) => e.target.select()}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              onScan(value.trim());
            }
          }}
          {...rest}
        />
        <button type="button" onClick={() => setCamera((c) => !c)} aria-expanded={camera}>
          {t('scan.camera')}
        </button>
      </div>
      {hint && <p id={`${inputId}-hint`} className="hint">{hint}</p>}
      {errors.length > 0 && (
        <p id={`${inputId}-error`} className="field-error" role="alert">{errors.join(' ')}</p>
      )}
      {camera && (
        <Suspense fallback={<p role="status">{t('common.loading')}</p>}>
          <CameraScanner
            onResult={(text) => {
              setCamera(false);
              onChange(text);
              onScan(text);
            }}
          />
        </Suspense>
      )}
    </div>
  );
});
