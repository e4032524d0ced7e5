import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyUsage } from './api-key-usage.js';

@Module({ controllers: [ApiKeysController], providers: [ApiKeysService, ApiKeyUsage], exports: [ApiKeyUsage] })
export class ApiKeysModule {}
