/**
 * PK chunking: one batch's SOQL split into Id ranges of `chunkSize` rows of the table (deleted
 * rows counted, as Salesforce counts them), each range ANDed to the query's own WHERE. Queries
 * with ORDER BY or LIMIT, or filtering on an Id field, are not chunked (Salesforce's documented
 * limits "effectively disable" chunking for them): they run as one batch.
 */
import { indexOfId, makeId } from '../../org/ids.js';
import type { EmulatedOrg } from '../../org/org.js';
import type { PkChunking } from './jobs.js';

/** Objects Salesforce's PK chunking page lists that the emulator's org may hold; custom objects always. */
const SUPPORTED = new Set(['account', 'accountcontactrelation', 'asset', 'campaign', 'campaignmember', 'case', 'casecomment', 'contact', 'contentdocument', 'contentversion', 'contract', 'emailmessage', 'event', 'feeditem', 'lead', 'loginhistory', 'note', 'opportunity', 'opportunitycontactrole', 'opportunityhistory', 'opportunitylineitem', 'order', 'orderitem', 'pricebook2', 'pricebookentry', 'product2', 'quote', 'quotelineitem', 'task', 'user', 'userrole', 'workorder']);

/** The query text with string literals blanked, so keywords are found outside them. */
function blankLiterals(soql: string): string {
  return soql.replace(/'(?:\\.|[^'\\])*'/g, (m) => `'${' '.repeat(m.length - 2)}'`);
}

export type ChunkPlan = { kind: 'whole' } | { kind: 'chunks'; queries: string[] } | { kind: 'refused'; message: string };

export function planChunks(org: EmulatedOrg, sobject: string, soql: string, options: PkChunking): ChunkPlan {
  const bare = blankLiterals(soql);
  if (/\b(ORDER\s+BY|LIMIT|OFFSET)\b/i.test(bare)) return { kind: 'whole' };
  const whereAt = bare.search(/\bWHERE\b/i);
  const where = whereAt >= 0 ? bare.slice(whereAt + 5) : '';
  if (/\b\w*id\w*\b/i.test(where.replace(/'[^']*'/g, ''))) return { kind: 'whole' };

  const chunkObject = options.parent ?? sobject;
  const table = org.describe(chunkObject);
  if (!table || !(SUPPORTED.has(table.name.toLowerCase()) || table.name.endsWith('__c'))) {
    return { kind: 'refused', message: `ClientInputError : PK chunking is not supported for the entity ${chunkObject}; supported are custom objects and ${[...SUPPORTED].length} standard objects such as Account, Contact, Opportunity` };
  }
  let field = 'Id';
  if (options.parent) {
    const own = org.describe(sobject);
    const lookup = own?.fields.find((f) => f.type === 'reference' && f.referenceTo.some((r) => r.toLowerCase() === table.name.toLowerCase()));
    if (!lookup) return { kind: 'refused', message: `ClientInputError : ${sobject} has no relationship to the parent ${options.parent} named in the PK chunking header` };
    field = lookup.name;
  }
  const prefix = table.keyPrefix ?? '';
  const rows = org.rowCount(table.name);
  const from = options.startRow ? Math.max(0, indexOfId(prefix, options.startRow)) : 0;
  const queries: string[] = [];
  for (let lo = from; lo < rows || queries.length === 0; lo += options.chunkSize) {
    const range = `${field} >= '${makeId(prefix, lo)}' AND ${field} < '${makeId(prefix, lo + options.chunkSize)}'`;
    queries.push(whereAt >= 0 ? `${soql.slice(0, whereAt)}WHERE (${soql.slice(whereAt + 5).trim()}) AND ${range}` : `${soql.trimEnd()} WHERE ${range}`);
  }
  return { kind: 'chunks', queries };
}
