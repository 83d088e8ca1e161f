import type { RuleKind, Rules } from '../../../src/web/api/contract.ts';
import { ErrorAlert, Loading } from '../components/alerts.tsx';
import { Page, Section } from '../components/page.tsx';
import { NumberListEditor, RuleEditor } from '../components/rule-lists.tsx';
import { useResource } from '../data.ts';
import { useI18n } from '../i18n.ts';

/** Who never gets a reply, who always may, which words stop one, and who said STOP. */
export function RulesPage() {
  const { t } = useI18n();
  const rules = useResource<Rules>('/api/rules');
  const data = rules.data;
  const setRules = (next: Rules) => rules.update(() => next);
  const ruleEditor = (kind: RuleKind) =>
    data ? (
      <RuleEditor
        kind={kind}
        rows={data.rules.filter((rule) => rule.kind === kind)}
        onAdded={(rule) =>
          rules.update((current) => ({ ...current, rules: [...current.rules, rule] }))
        }
        onRemoved={(id) =>
          rules.update((current) => ({
            ...current,
            rules: current.rules.filter((r) => r.id !== id),
          }))
        }
      />
    ) : null;

  return (
    <Page title={t('rules.title')} intro={t('rules.intro')}>
      <ErrorAlert error={rules.error} />
      {data ? (
        <>
          <Section id="blocklist" title={t('rules.blocklist')}>
            <p>{t('rules.blocklistIntro')}</p>
            <NumberListEditor list="blocked" rows={data.lists.blocked} onRules={setRules} />
            {ruleEditor('block_prefix')}
          </Section>
          <Section id="allowlist" title={t('rules.allowlist')}>
            <p>{t('rules.allowlistIntro')}</p>
            <NumberListEditor list="allowed" rows={data.lists.allowed} onRules={setRules} />
            {ruleEditor('allow_prefix')}
          </Section>
          <Section id="keywords" title={t('rules.keywords')}>
            <p>{t('rules.keywordsIntro')}</p>
            {ruleEditor('keyword')}
          </Section>
          <Section id="stop" title={t('rules.stop')}>
            <p>{t('rules.stopIntro')}</p>
            <NumberListEditor list="stop" rows={data.lists.stop} onRules={setRules} />
          </Section>
        </>
      ) : rules.loading ? (
        <Loading />
      ) : null}
    </Page>
  );
}
