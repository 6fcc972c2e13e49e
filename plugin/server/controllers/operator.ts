/**
 * Health, readiness and metrics for operators (routes/operator.ts): thin Koa glue over the
 * framework-neutral endpoints the runtime service holds (server/health.ts), which check the
 * metrics token themselves.
 */
import type { Core } from '@strapi/strapi';
import { writeResponse, type KoaContext } from '../http/koa-handler';
import { getService } from '../get-service';

type OperatorContext = Pick<KoaContext, 'headers' | 'status' | 'body' | 'set'>;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const endpoints = () => getService(strapi, 'runtime').operator();
  return {
    health(ctx: OperatorContext): void {
      writeResponse(ctx, endpoints().health());
    },
    async ready(ctx: OperatorContext): Promise<void> {
      writeResponse(ctx, await endpoints().ready());
    },
    async metrics(ctx: OperatorContext): Promise<void> {
      writeResponse(ctx, await endpoints().metrics(ctx.headers));
    },
  };
};
