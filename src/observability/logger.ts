import pino, { type Logger } from 'pino';

/**
 * JSON logs on stdout. Numbers are masked where they are logged (maskNumber); these paths are
 * redacted as a second line of defence so that credentials never reach a log.
 */
export function createLogger(level: string, destination: 1 | 2 = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'nonmerci' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-twilio-signature"]',
          'req.headers["x-nonmerci-signature"]',
          '*.authToken',
          '*.secret',
          '*.password',
          'config',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: destination, sync: false }),
  );
}
