import { useTranslation } from 'react-i18next';

export default function DeskPage() {
  const { t } = useTranslation();
  return (
    <main id="main" className="page">
      <h1>{t('nav.desk')}</h1>
    </main>
  );
}
