import type { Request } from 'express';
import type { ApiPrincipal } from '../auth/api-keyring';

/** A request as the API's guard leaves it: who is asking (pino-http gives it its id). */
export interface ApiRequest extends Request {
  id: string | number | object;
  principal?: ApiPrincipal;
}
