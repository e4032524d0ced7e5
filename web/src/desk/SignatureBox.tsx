import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import SignaturePad from 'signature_pad';

export type SignatureHandle = {
  /** The drawn signature as standard base64 PNG (no `data:` prefix), or null when empty. */
  png(): string | null;
  clear(): void;
};

/**
 * The guardian signs on the screen (finger, pen or mouse). Pressing on it does not move the
 * keyboard focus, so the operator's Enter still reaches the issue button after the signature.
 */
export const SignatureBox = forwardRef<SignatureHandle, { errors: string[]; onChange: (signed: boolean) => void }>(function SignatureBox({ errors, onChange }, ref) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  const pad = useRef<SignaturePad | null>(null);

  useEffect(() => {
    const element = canvas.current!;
    const size = () => {
      // Draw at the device's pixel density, and at most 4000 px wide (the API's limit).
      const ratio = Math.min(window.devicePixelRatio || 1, 2);
      const data = pad.current?.toData();
      element.width = element.offsetWidth * ratio;
      element.height = element.offsetHeight * ratio;
      element.getContext('2d')!.scale(ratio, ratio);
      pad.current?.clear();
      if (data) pad.current?.fromData(data);
    };
    pad.current = new SignaturePad(element, { penColor: '#10213a', backgroundColor: 'rgb(255,255,255)' });
    pad.current.addEventListener('endStroke', () => onChange(true));
    size();
    window.addEventListener('resize', size);
    return () => {
      window.removeEventListener('resize', size);
      pad.current?.off();
    };
  }, [onChange]);

  useImperativeHandle(ref, () => ({
    png: () => (pad.current && !pad.current.isEmpty() ? pad.current.toDataURL('image/png').split(',')[1] : null),
    clear: () => {
      pad.current?.clear();
      onChange(false);
    },
  }));

  return (
    <div className="signature-field">
      <p className="label" id="signature-label">{t('desk.signature')}</p>
      <canvas
        ref={canvas}
        className="signature"
        role="img"
        aria-labelledby="signature-label"
        aria-describedby={errors.length ? 'signature-error' : undefined}
        onMouseDown={(e) => e.preventDefault()}
      />
      {errors.length > 0 && <p id="signature-error" className="field-error" role="alert">{errors.join(' ')}</p>}
      <button type="button" className="link" onClick={() => { pad.current?.clear(); onChange(false); }}>
        {t('desk.clearSignature')}
      </button>
    </div>
  );
});
