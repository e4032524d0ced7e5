import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '../i18n';

/** Bahasa Indonesia / English. The API answers in the same language (Accept-Language). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="lang">
      <span className="visually-hidden">{t('common.language')}</span>
      <select value={i18n.language} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
        {LANGUAGES.map((l) => (
          <option key={l} value={l}>{t(`common.languages.${l}`)}</option>
        ))}
      </select>
    </label>
  );
}
