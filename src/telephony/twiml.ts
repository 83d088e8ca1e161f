import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { speakableText } from '../domain/messages.ts';
import { withoutForbiddenCharacters } from '../domain/operator-text.ts';
import type { RenderedResponse, VoiceAnswer } from './provider.ts';

const XML = 'text/xml; charset=utf-8';

/**
 * The voice answer in TwiML, which Telnyx's TeXML reads too (same verbs and attributes), built
 * with Twilio's official builder. It escapes every text it is given but throws on a character
 * XML 1.0 forbids (NUL, ESC, a lone surrogate…): those are removed first, whatever the database
 * holds (see speakableText), so one bad stored text cannot turn every call into a 500.
 */
export function renderTwiml(answer: VoiceAnswer): RenderedResponse {
  // A line answers every caller with one of a few documents: each is built once.
  const key = JSON.stringify(answer);
  let rendered = renderedAnswers.get(key);
  if (!rendered) {
    rendered = build(answer);
    if (renderedAnswers.size >= 64) renderedAnswers.clear();
    renderedAnswers.set(key, rendered);
  }
  return rendered;
}

const renderedAnswers = new Map<string, RenderedResponse>();

function build(answer: VoiceAnswer): RenderedResponse {
  const twiml = new VoiceResponse();
  if (answer.kind === 'reject') {
    // <Reject/> as the first verb refuses the call before it is answered: it costs nothing.
    twiml.reject();
  } else {
    if (answer.kind === 'say') {
      twiml.say(
        {
          language: withoutForbiddenCharacters(answer.speechLanguage) as 'fr-FR',
          voice: withoutForbiddenCharacters(answer.speechVoice) as 'Polly.Lea',
        },
        speakableText(answer.text, answer.language),
      );
    } else twiml.play(withoutForbiddenCharacters(answer.url));
    twiml.hangup();
  }
  return { contentType: XML, body: twiml.toString() };
}

/** An empty answer to an inbound text: nothing is sent back now. */
export function emptyTwiml(): RenderedResponse {
  return { contentType: XML, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' };
}
