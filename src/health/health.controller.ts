import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/api-docs.js';

// Not a *.dto.ts file, so the swagger CLI plugin does not see these: they carry explicit decorators.
class LiveResponse {
  @ApiProperty({ example: 'ok' })
  status: string;
}

class HealthIndicatorResponse {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status: 'up' | 'down';
  @ApiProperty({ required: false, description: 'Milliseconds the check took.', example: 3 })
  responseTime?: number;
}

class ReadyResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthIndicatorResponse) }, description: 'Indicators that are up, by name (`database`).' })
  info: Record<string, HealthIndicatorResponse>;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthIndicatorResponse) }, description: 'Indicators that are down (empty here).' })
  error: Record<string, HealthIndicatorResponse>;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthIndicatorResponse) }, description: 'Every indicator, by name.' })
  details: Record<string, HealthIndicatorResponse>;
}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({
    summary: 'Liveness: the process answers',
    description: 'For the orchestrator: answers 200 while the process can serve requests, without touching the database. No credentials.',
  })
  @ApiOkResponse({ type: LiveResponse, description: 'The process is alive' })
  live(): LiveResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  // Terminus documents itself with require('@nestjs/swagger'), which fails silently under ESM;
  // the answers are documented below instead (the 503 is a problem, like every error here).
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness: the database answers within 1.5 s',
    description: 'For the load balancer: 200 when the database answers a ping within 1.5 s, otherwise 503. No credentials; not cached.',
  })
  @ApiExtraModels(HealthIndicatorResponse)
  @ApiOkResponse({ type: ReadyResponse, description: 'Ready to serve requests' })
  @ApiProblems(503)
  ready() {
    return this.health.check([() => this.database.pingCheck('database', { timeout: 1500 })]);
  }
}
