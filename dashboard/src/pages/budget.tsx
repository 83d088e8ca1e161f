import { useState } from 'preact/hooks';
import type { Budget, UpdateBudgetRequest } from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { ErrorAlert, Loading, Status } from '../components/alerts.tsx';
import { TextField } from '../components/fields.tsx';
import { SpendGauge } from '../components/gauge.tsx';
import { Page, Section } from '../components/page.tsx';
import { DailySpendBars, MonthlySpendTable } from '../components/spend-history.tsx';
import { useResource } from '../data.ts';
import { useI18n } from '../i18n.ts';
import { moneyInput, parseMoney, parsePercentages } from '../units.ts';

export function BudgetPage() {
  const { t } = useI18n();
  const budget = useResource<Budget>('/api/budget');
  return (
    <Page title={t('budget.title')} intro={t('budget.intro')}>
      <ErrorAlert error={budget.error} />
      {budget.data ? (
        <>
          <Section id="spend" title={t('budget.now')}>
            <div class="gauges">
              <SpendGauge
                label={t('gauge.day')}
                gauge={budget.data.spend.day}
                currency={budget.data.currency}
              />
              <SpendGauge
                label={t('gauge.month')}
                gauge={budget.data.spend.month}
                currency={budget.data.currency}
              />
            </div>
          </Section>
          <Section id="limits" title={t('budget.limits')}>
            <BudgetForm budget={budget.data} onSaved={(saved) => budget.update(() => saved)} />
          </Section>
          <Section id="history" title={t('budget.history')}>
            <DailySpendBars budget={budget.data} />
            <MonthlySpendTable budget={budget.data} />
          </Section>
        </>
      ) : budget.loading ? (
        <Loading />
      ) : null}
    </Page>
  );
}

function BudgetForm(props: { budget: Budget; onSaved(budget: Budget): void }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const { budget } = props;
  const [price, setPrice] = useState(moneyInput(budget.segmentPriceMicros, lang));
  const [daily, setDaily] = useState(moneyInput(budget.dailyMicros, lang));
  const [monthly, setMonthly] = useState(moneyInput(budget.monthlyMicros, lang));
  const [thresholds, setThresholds] = useState(budget.alertThresholds.join(', '));
  const action = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    const segmentPriceMicros = parseMoney(price);
    const dailyMicros = parseMoney(daily);
    const monthlyMicros = parseMoney(monthly);
    const alertThresholds = parsePercentages(thresholds);
    if (segmentPriceMicros === null || segmentPriceMicros === 0)
      return action.fail(t('budget.priceInvalid'));
    if (dailyMicros === null) return action.fail(t('budget.dailyInvalid'));
    if (monthlyMicros === null) return action.fail(t('budget.monthlyInvalid'));
    if (alertThresholds === null) return action.fail(t('budget.thresholdsInvalid'));
    const request: UpdateBudgetRequest = {
      segmentPriceMicros,
      dailyMicros,
      monthlyMicros,
      alertThresholds,
    };
    void action.run(async () => {
      props.onSaved(await api.put<Budget>('/api/budget', request));
      return t('budget.saved');
    });
  };

  const unit = `(${budget.currency})`;
  return (
    <form class="form" onSubmit={submit} noValidate>
      <p class="source">
        {t(budget.source === 'environment' ? 'budget.sourceEnvironment' : 'budget.sourceDashboard')}
      </p>
      <div class="field-row">
        <TextField
          label={`${t('budget.price')} ${unit}`}
          hint={t('budget.priceHint')}
          inputMode="decimal"
          value={price}
          onValue={setPrice}
        />
        <TextField
          label={`${t('budget.daily')} ${unit}`}
          hint={t('budget.dailyHint')}
          inputMode="decimal"
          value={daily}
          onValue={setDaily}
        />
        <TextField
          label={`${t('budget.monthly')} ${unit}`}
          hint={t('budget.monthlyHint')}
          inputMode="decimal"
          value={monthly}
          onValue={setMonthly}
        />
      </div>
      <TextField
        label={t('budget.thresholds')}
        hint={t('budget.thresholdsHint')}
        inputMode="numeric"
        value={thresholds}
        onValue={setThresholds}
      />
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
      <button type="submit" class="button button-primary button-large" disabled={action.busy}>
        {t('budget.save')}
      </button>
    </form>
  );
}
