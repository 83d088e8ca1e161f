import { SegmentedMessage } from 'sms-segments-calculator';

export interface SmsCost {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  characters: number;
  /** Characters that force UCS-2 (and so double the price), e.g. "ç" or a typographic apostrophe. */
  nonGsmCharacters: string[];
  costMicros: number;
}

/**
 * Segments and cost of one SMS. Counting is delegated to Twilio's own calculator
 * (sms-segments-calculator), which knows GSM-7 escapes, UCS-2 and surrogate pairs.
 */
export function smsCost(body: string, segmentPriceMicros: number): SmsCost {
  const message = new SegmentedMessage(body, 'auto');
  const segments = Math.max(1, message.segmentsCount);
  return {
    encoding: message.encodingName,
    segments,
    characters: message.numberOfCharacters,
    nonGsmCharacters: message.getNonGsmCharacters(),
    costMicros: segments * segmentPriceMicros,
  };
}
