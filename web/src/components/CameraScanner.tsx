import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserMultiFormatReader } from '@zxing/browser';

/** The camera as a scanner (QR and Code 128 of the asset labels, the NISN bar code of a student card). */
export default function CameraScanner({ onResult }: { onResult: (text: string) => void }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const reader = new BrowserMultiFormatReader();
    let stop: (() => void) | undefined;
    let done = false;
    reader
      .decodeFromVideoDevice(undefined, video.current!, (result, _error, controls) => {
        if (result && !done) {
          done = true;
          controls.stop();
          onResult(result.getText());
        }
      })
      .then((controls) => (stop = () => controls.stop()))
      .catch(() => setFailed(true));
    return () => stop?.();
  }, [onResult]);
  return failed ? <p className="field-error">{t('scan.noCamera')}</p> : <video ref={video} className="camera" muted playsInline aria-label={t('scan.camera')} />;
}
