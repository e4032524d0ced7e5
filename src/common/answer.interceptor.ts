import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { concatMap, Observable } from 'rxjs';
import { setDataAsOf } from '../database/read-replica.js';
import { languageOf } from '../i18n/i18n.js';
import { setEtag } from './etag.js';
import { type RequestContext, runInRequest } from './request-context.js';

/**
 * The one interceptor around every handler. It runs the handler in its request's context
 * (request-context.ts) and, once the handler has answered, holds the answer until the writes it
 * waits for have committed (a failed one fails the request: no student data leaves unlogged,
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
    const scope: RequestContext = { language: languageOf(request), readSources: [], answerWaitsFor: [] };
    const finish = (body: unknown) => {
      setEtag(request, reply, body);
      setDataAsOf(reply, scope.readSources);
      return body;
    };
    return new Observable<unknown>((subscriber) => runInRequest(scope, () => next.handle().subscribe(subscriber))).pipe(
      // Usually nothing to wait for: the answer then goes on in the same tick (a one-item array).
      concatMap((body) => (scope.answerWaitsFor.length ? Promise.all(scope.answerWaitsFor).then(() => finish(body)) : [finish(body)])),
    );
  }
}
