import { SetMetadata } from '@nestjs/common';
import type { Role } from './role';

export const ROLES_KEY = 'capflow:roles';
export const PUBLIC_KEY = 'capflow:public';

/** The role a route needs (any one of them). Routes without it and without @Public() are refused. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Served without a key: the page, its assets, the API's description, /health and /metrics. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
