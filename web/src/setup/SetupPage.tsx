import { useTranslation } from 'react-i18next';

export default function SetupPage() {
  const { t } = useTranslation();
  return (
    <main id="main" className="page">
      <h1>{t('nav.setup')}</h1>
    </main>
  );
}
