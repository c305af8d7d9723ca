import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Principal } from '../users/principal.js';

export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<{ user: Principal }>().user,
);
