import type { ProductModule } from '@twilio-lab/cell';
import { directoryFor } from '../directory/directory.js';
import { numberRoutes } from './routes.js';
import { numbersMigrations } from './schema.js';

/**
 * IncomingPhoneNumbers (2010 API). A module of its own because Messaging and Voice both read
 * it: a number's SmsUrl and VoiceUrl live on the same resource.
 */
export function numbersModule(): ProductModule {
  return {
    name: 'numbers',
    migrations: numbersMigrations,
    routes: (ctx) => numberRoutes(ctx),
    // The directory copy of incoming_phone_numbers that Messages creates and inbound SMS read.
    start: (ctx) => directoryFor(ctx.store).loadNumbers(ctx.store),
  };
}
