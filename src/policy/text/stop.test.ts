import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStopRequest } from './stop.ts';

describe('isStopRequest', () => {
  const stops = [
    'STOP',
    'stop',
    'Stop.',
    'STOP SMS',
    'stopsms',
    'STOP-SMS',
    'ARRET',
    'ARRÊT',
    'arrêt',
    'arret sms',
    'STOP 36180',
    'STOP au 36180',
    'unsubscribe',
    'désabonner',
    'Désabonnez-moi',
    'desinscription',
    'stop!!',
    '  stop  ',
    'stoooop',
    's t o p',
    'ЅТОР',
    'STOPALL',
    'cancel',
    // Documented choice: a message that starts with the keyword counts.
    'stop ça tout de suite connard',
  ];
  for (const text of stops) {
    it(`opt-out: ${JSON.stringify(text)}`, () => {
      assert.equal(isStopRequest(text), true);
    });
  }

  const notStops = [
    'arrête de me harceler',
    'je veux pas que ça stop',
    'Bonjour, STOP',
    'stopper',
    'arrêter',
    'non merci',
    '',
    '...',
    'top',
  ];
  for (const text of notStops) {
    it(`not an opt-out: ${JSON.stringify(text)}`, () => {
      assert.equal(isStopRequest(text), false);
    });
  }
});
