import type { Request } from 'express';
import type { ApiPrincipal } from '../auth/api-keyring';

/** A request as the API's first middleware and its guard leave it: its ids and who is asking. */
export interface ApiRequest extends Request {
  /** The server's id for this request (identifyRequest). */
  id: string | number | object;
  /** The `X-Request-Id` the client sent, if usable: the client's, not the server's. */
  clientRequestId?: string;
  principal?: ApiPrincipal;
}
