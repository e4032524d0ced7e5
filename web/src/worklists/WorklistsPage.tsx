import { useTranslation } from 'react-i18next';

export default function WorklistsPage() {
  const { t } = useTranslation();
  return (
    <main id="main" className="page">
      <h1>{t('nav.worklists')}</h1>
    </main>
  );
}
