import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { concatMap, type Observable } from 'rxjs';
import { setDataAsOf } from '../database/read-replica.js';
import { setEtag } from './etag.js';
import { requestContextOf } from './request-context.js';

/**
 * The one interceptor around every handler. Once the handler has answered, it reads what the
 * handler left in its request's context (request-context.ts): it holds the answer until the writes
 * it waits for have committed (a failed one fails the request: no student data leaves unlogged,
 * docs/privacy.md), then sets the headers the answer carries: the ETag of a versioned record
 * (etag.ts) and the Data-As-Of of a report (read-replica.ts). One interceptor rather than one per
 * concern: each interceptor costs every request its own observable chain (docs/benchmarks.md).
 */
@Injectable()
export class AnswerInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const scope = requestContextOf(request);
    const finish = (body: unknown) => {
      setEtag(request, reply, body);
      setDataAsOf(reply, scope.readSources);
      return body;
    };
    return next.handle().pipe(
      // Usually nothing to wait for: the answer then goes on in the same tick (a one-item array).
      concatMap((body) => {
        scope.answered = true;
        return scope.answerWaitsFor.length ? Promise.all(scope.answerWaitsFor).then(() => finish(body)) : [finish(body)];
      }),
    );
  }
}
