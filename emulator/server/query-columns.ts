/**
 * `GET /query?q=…&columns=true`: the query's column metadata instead of its rows, as query tools
 * ask for it before running a query. A relationship path (`Owner.Name`) is one column named after
 * the relationship whose `joinColumns` hold the fields read through it.
 */
import type { FieldDescribe, PreparedQuery, QueryColumn } from '../org/types.js';

export interface ColumnMetadata {
  aggregate: boolean;
  apexType: string | null;
  booleanType: boolean;
  columnName: string;
  custom: boolean;
  displayName: string;
  foreignKeyName: string | null;
  insertable: boolean;
  joinColumns: ColumnMetadata[];
  numberType: boolean;
  textType: boolean;
  updatable: boolean;
}

const APEX_TYPES: Record<string, string> = {
  id: 'Id', reference: 'Id', boolean: 'Boolean', int: 'Integer', long: 'Long', double: 'Double', currency: 'Decimal',
  percent: 'Decimal', date: 'Date', datetime: 'Datetime', time: 'Time', base64: 'Blob', address: 'Address',
  location: 'Location', anyType: 'Object', json: 'Object',
};
const NUMBER_TYPES = new Set(['int', 'long', 'double', 'currency', 'percent']);

function fieldColumn(field: FieldDescribe, displayName: string): ColumnMetadata {
  const apexType = APEX_TYPES[field.type] ?? 'String';
  return {
    aggregate: false,
    apexType,
    booleanType: field.type === 'boolean',
    columnName: field.name,
    custom: field['custom'] === true,
    displayName,
    foreignKeyName: null,
    insertable: field['createable'] === true,
    joinColumns: [],
    numberType: NUMBER_TYPES.has(field.type),
    textType: apexType === 'String',
    updatable: field['updateable'] === true,
  };
}

/** Adds `column` under `list`, walking its relationships from `depth` and merging shared ones. */
function place(list: ColumnMetadata[], column: QueryColumn, depth: number): void {
  if (depth === column.relationships.length) {
    list.push(fieldColumn(column.field, column.path));
    return;
  }
  const name = column.relationships[depth]!;
  let join = list.find((c) => c.joinColumns.length > 0 && c.columnName === name);
  if (!join) {
    join = {
      aggregate: false, apexType: column.relationshipTypes[depth] ?? null, booleanType: false, columnName: name, custom: name.endsWith('__r'),
      displayName: column.relationships.slice(0, depth + 1).join('.'), foreignKeyName: null, insertable: false, joinColumns: [],
      numberType: false, textType: false, updatable: false,
    };
    list.push(join);
  }
  place(join.joinColumns, column, depth + 1);
}

export function renderQueryColumns(query: PreparedQuery, keyPrefix: string | null): Record<string, unknown> {
  const columnMetadata: ColumnMetadata[] = [];
  for (const column of query.columns) place(columnMetadata, column, 0);
  return {
    columnMetadata,
    entityName: query.sobject,
    groupBy: false,
    idSelected: query.columns.some((c) => c.relationships.length === 0 && c.field.name === 'Id'),
    keyPrefix,
  };
}
