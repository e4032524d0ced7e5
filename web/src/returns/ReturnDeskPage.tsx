import { useTranslation } from 'react-i18next';

export default function ReturnDeskPage() {
  const { t } = useTranslation();
  return (
    <main id="main" className="page">
      <h1>{t('nav.returns')}</h1>
    </main>
  );
}
