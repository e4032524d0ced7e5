import { Module } from '@nestjs/common';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';
import { FirstAdmin } from './first-admin.js';

@Module({ controllers: [UsersController], providers: [UsersService, FirstAdmin] })
export class UsersModule {}
