import { useI18n } from '../i18n.ts';
import { useLive } from '../live.ts';

/** Whether the live figures are current: "Live", or "Reconnecting…" after a network hiccup. */
export function ConnectionBadge() {
  const { t } = useI18n();
  const { connection } = useLive();
  return (
    <p role="status" class={`connection connection-${connection}`}>
      <span class="connection-dot" aria-hidden="true" />
      {t(
        connection === 'live'
          ? 'live.live'
          : connection === 'connecting'
            ? 'live.connecting'
            : 'live.reconnecting',
      )}
    </p>
  );
}
