import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type DatabaseSettings, dataSourceOptions } from './data-source-options.js';
import { ReadReplica } from './read-replica.js';
import { useNamedStatements } from './statements.js';
import { Transactions } from './transactions.js';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(settings: DatabaseSettings): DynamicModule {
    useNamedStatements(settings.namedStatements ?? true);
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(settings), retryAttempts: 2, retryDelay: 1000 })],
      providers: [Transactions, ReadReplica],
      exports: [Transactions, ReadReplica],
    };
  }
}
