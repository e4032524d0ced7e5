import { AuditChainExport } from './audit-chain-export.js';
import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditLog } from './audit-log.js';
import { AuditSealer } from './audit-sealer.js';
import { AuditService } from './audit.service.js';

/** Global: every feature module records events through `AuditLog`. */
@Global()
@Module({ controllers: [AuditController], providers: [AuditLog, AuditSealer, AuditService, AuditChainExport], exports: [AuditLog, AuditService, AuditChainExport] })
export class AuditModule {}
