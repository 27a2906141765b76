import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError, ApiErrorCode } from '../http/api-error';
import type { ApiRequest } from '../http/api-request';
import { ApiKeyring } from './api-keyring';
import type { Role } from './role';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

/** The scheme is case-insensitive (RFC 9110 §11.1): "bearer <key>" is the same credential. */
const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/i;

/** The key of an `Authorization: Bearer <key>` header, or null. */
export function bearerKeyOf(header: string | undefined): string | null {
  return header === undefined ? null : (BEARER.exec(header)?.[1] ?? null);
}

/**
 * Every route needs a valid bearer key with one of its roles, unless it is @Public():
 * 401 without a valid key, 403 with one that lacks the role.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keyring: ApiKeyring,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<ApiRequest>();
    // a key in the query string was refused before any route (refuseKeysInQuery)
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const header = request.headers.authorization;
    if (header === undefined) throw new ApiError(401, ApiErrorCode.Unauthenticated, 'this needs an API key: send "Authorization: Bearer <key>"');
    const key = bearerKeyOf(header);
    const principal = key === null ? null : this.keyring.authenticate(key);
    if (!principal) throw new ApiError(401, ApiErrorCode.InvalidKey, 'the API key is not valid');
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!roles.some((role) => principal.roles.includes(role)))
      throw new ApiError(403, ApiErrorCode.Forbidden, `this needs the ${roles.join(' or ') || 'admin'} role; the key "${principal.name}" has ${principal.roles.join(', ')}`);
    return true;
  }
}
