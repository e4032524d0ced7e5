import { useTranslation } from 'react-i18next';

export default function LabelsPage() {
  const { t } = useTranslation();
  return (
    <main id="main" className="page">
      <h1>{t('nav.labels')}</h1>
    </main>
  );
}
