import type { Pages } from '../data.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert, Status } from './alerts.tsx';

/** Under a paged list: how many are shown (announced), errors, and the "load more" button. */
export function PagedFooter<T>(props: { pages: Pages<T>; shown: string; empty: string }) {
  const { t } = useI18n();
  const { pages } = props;
  const count = pages.loading
    ? t('common.loading')
    : pages.items.length
      ? props.shown
      : props.empty;
  return (
    <div class="paged-footer">
      <Status message={count} className="status-count" />
      <ErrorAlert error={pages.error} />
      {pages.hasMore && !pages.loading ? (
        <button type="button" class="button" onClick={pages.loadMore}>
          {t('common.loadMore')}
        </button>
      ) : null}
    </div>
  );
}
