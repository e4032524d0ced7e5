import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { invalidField } from './errors.js';

const Integer = () => 'integer' as const;

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export class PageQuery {
  @ApiPropertyOptional({ description: 'Page size (1-500).', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, type: Integer() })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_LIMIT)
  limit?: number = DEFAULT_LIMIT;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's `nextCursor`.", maxLength: 512 })
  @IsOptional() @IsString() @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Builds the OpenAPI class for `{ items: T[], nextCursor }` so every list documents its items. */
export function PageOf<T>(item: new () => T) {
  class PageDto {
    @ApiProperty({ type: () => [item] })
    items: T[];

    @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` to get the next page; null on the last page.' })
    nextCursor: string | null;
  }
  Object.defineProperty(PageDto, 'name', { value: `${item.name.replace(/Response$/, '')}Page` });
  return PageDto;
}

/**
 * Keyset cursors: the sort key of the last row, opaque to clients. A cursor that does not decode
 * to the expected shape is a 400, not a 500.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((k) => typeof k === 'string' || typeof k === 'number')) {
      return key;
    }
  } catch {
    /* fall through */
  }
  throw invalidField('cursor', 'unknown_cursor');
}

/** Fetch `limit + 1` rows, then call this: it trims the extra row and makes the next cursor. */
export function toPage<Row, Item>(rows: Row[], limit: number, key: (row: Row) => (string | number)[], map: (row: Row) => Item): Page<Item> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: pageRows.map(map),
    nextCursor: hasMore ? encodeCursor(key(pageRows[pageRows.length - 1])) : null,
  };
}
