declare module '@koa/cors' {
  import type { Middleware, ParameterizedContext } from 'koa';
  interface CorsOptions {
    origin?: string | ((ctx: ParameterizedContext) => string | false | Promise<string | false>);
    allowMethods?: string | string[];
    exposeHeaders?: string | string[];
    allowHeaders?: string | string[];
    maxAge?: number | string;
    credentials?: boolean;
    keepHeadersOnError?: boolean;
  }
  export default function cors(options?: CorsOptions): Middleware;
}
