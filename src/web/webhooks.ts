import type { FastifyReply, FastifyRequest } from 'fastify';
import { NonmerciError, SignatureError } from '../domain/errors.ts';
import type { DeliveryService } from '../hotline/delivery.ts';
import type { Intake } from '../hotline/intake.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { TelephonyProvider, WebhookRequest } from '../telephony/provider.ts';
import { HttpError } from './errors.ts';
import { isFormBody } from './form-body.ts';

export interface WebhookDeps {
  providers: ReadonlyMap<string, TelephonyProvider>;
  intake: Intake;
  delivery: DeliveryService;
  metrics: Metrics;
  publicUrl: string;
}

export type WebhookKind = 'voice' | 'sms' | 'status';

/**
 * One handler shape for every provider and kind:
 * read the raw body → verify the signature → parse into our types → append to the intake log → answer.
 * Refused: 4xx with a reason, nothing recorded. Failed: 5xx, so the provider retries.
 */
export function webhookHandler(deps: WebhookDeps, providerName: string, kind: WebhookKind) {
  return async function handleWebhook(request: FastifyRequest, reply: FastifyReply) {
    const started = performance.now();
    let outcome = 'failed';
    try {
      const provider = deps.providers.get(providerName);
      if (!provider)
        throw new HttpError(
          404,
          'provider_not_configured',
          `The ${providerName} provider is not configured on this server.`,
        );
      if (!isFormBody(request.body)) {
        throw new HttpError(
          415,
          'unsupported_media_type',
          'Webhooks must be form-encoded (application/x-www-form-urlencoded).',
        );
      }
      const webhook: WebhookRequest = {
        url: deps.publicUrl + request.url,
        headers: request.headers,
        rawBody: request.body.raw,
        params: request.body.params,
      };
      if (!provider.verify(webhook)) throw new SignatureError();

      if (kind === 'status') {
        const query = new URLSearchParams(request.url.split('?')[1] ?? '');
        const status = provider.parseStatus(webhook.params, query);
        const found = status ? await deps.delivery.record(provider, status) : false;
        outcome = found ? 'recorded' : 'ignored';
        return await reply.status(204).send();
      }
      const contact =
        kind === 'voice' ? provider.parseCall(webhook.params) : provider.parseText(webhook.params);
      // Answered once the event is durable in the intake log; the processor records it next.
      const { duplicate, answer } = await deps.intake.accept(provider.name, contact);
      outcome = duplicate ? 'duplicate' : 'recorded';
      const rendered = answer ? provider.renderVoice(answer) : provider.renderTextAck();
      return await reply.type(rendered.contentType).send(rendered.body);
    } catch (error) {
      if (error instanceof NonmerciError && !(error instanceof HttpError && error.status >= 500))
        outcome = 'refused';
      throw error;
    } finally {
      deps.metrics.webhooks.inc({ provider: providerName, kind, outcome });
      deps.metrics.webhookSeconds.observe(
        { provider: providerName, kind },
        (performance.now() - started) / 1000,
      );
    }
  };
}
