import type { FastifyReply, FastifyRequest } from 'fastify';
import { NonmerciError, SignatureError } from '../domain/errors.ts';
import type { DeliveryService } from '../hotline/delivery.ts';
import type { Intake } from '../hotline/intake.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { WebhookEndpoint } from '../telephony/endpoints.ts';
import type { TelephonyProvider, WebhookRequest } from '../telephony/provider.ts';
import { HttpError } from './errors.ts';
import { isFormBody, isJsonBody } from './form-body.ts';

export interface WebhookDeps {
  providers: ReadonlyMap<string, TelephonyProvider>;
  intake: Intake;
  delivery: DeliveryService;
  metrics: Metrics;
  publicUrl: string;
}

/** The request as a provider adapter sees it, or a 415 when it is not encoded as this endpoint's are. */
function webhookRequest(
  request: FastifyRequest,
  endpoint: WebhookEndpoint,
  publicUrl: string,
): WebhookRequest {
  const query = new URLSearchParams(request.url.split('?')[1] ?? '');
  const base = { url: publicUrl + request.url, headers: request.headers, query };
  if (request.method === 'GET')
    return { ...base, method: 'GET', rawBody: '', params: Object.fromEntries(query), json: null };
  if (endpoint.body === 'form') {
    if (!isFormBody(request.body))
      throw new HttpError(
        415,
        'unsupported_media_type',
        'This webhook must be form-encoded (application/x-www-form-urlencoded).',
      );
    const { raw, params } = request.body;
    return { ...base, method: 'POST', rawBody: raw, params, json: null };
  }
  if (!isJsonBody(request.body))
    throw new HttpError(
      415,
      'unsupported_media_type',
      'This webhook must be JSON (application/json).',
    );
  const { raw, value } = request.body;
  return { ...base, method: 'POST', rawBody: raw, params: {}, json: value };
}

/**
 * One handler shape for every provider and endpoint:
 * read the raw body → verify the signature → read it into our types → append to the intake log → answer.
 * Refused: 4xx with a reason, nothing recorded. Failed: 5xx, so the provider retries.
 */
export function webhookHandler(deps: WebhookDeps, providerName: string, endpoint: WebhookEndpoint) {
  const kind = endpoint.name;
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
      const webhook = webhookRequest(request, endpoint, deps.publicUrl);
      if (!(await provider.verify(webhook))) throw new SignatureError();

      const event = provider.read(kind, webhook);
      if (event.type === 'ignored') {
        outcome = 'ignored';
        return await reply.status(204).send();
      }
      if (event.type === 'status') {
        const found = await deps.delivery.record(provider, event.status);
        outcome = found ? 'recorded' : 'ignored';
        return await reply.status(204).send();
      }
      // Answered once the event is durable in the intake log; the processor records it next.
      const { duplicate, answer } = await deps.intake.accept(provider.name, event.contact);
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
