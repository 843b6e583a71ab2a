/**
 * Deterministic seeded values: the value of field f of row i of object o is a pure function of
 * (seed, o, i, f), computed on demand, so millions of rows stream with flat memory and filters
 * evaluate only the fields they touch. Values look like a real org's: names with commas, quotes,
 * line breaks and accents, multi-line streets, ids of parents that exist.
 */
import { makeId } from './ids.js';
import type { FieldSpec, ObjectSpec } from './schema.js';
import type { FieldValue } from './types.js';

export const DAY_MS = 86_400_000;
/** How far back the generated history reaches before the org's anchor time. */
export const HISTORY_MS = 5 * 365 * DAY_MS;

/** A 32-bit mix of its inputs (a murmur3-style finalizer). */
export function hash(seed: number, a: number, b: number, c: number): number {
  let h = (seed ^ Math.imul(a + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (b + 0x27d4eb2f), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (c + 0x165667b1) ^ (h >>> 15), 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const COMPANY_A = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Cyberdyne', 'Wonka', 'Nakatomi', 'Aperture', 'Massive', 'Blue Sun', 'Gringotts', 'Oscorp', 'Pied Piper', 'Dunder'];
const COMPANY_B = ['Industries', 'Corporation', 'Holdings', 'Partners', 'Labs', 'Systems', 'Logistics', 'Foods', 'Energy', 'Media', 'Works', 'Group'];
const ACCENTED = ['Café Müller', 'Société Générale du Nord', 'Ærø Fiskeri', 'São Paulo Têxtil', 'Zürich Präzision', 'Łódź Meble', 'Ñandú Viajes', 'Crème Brûlée & Cie'];
const CJK = ['日本商事', '北京科技有限公司', '서울 무역'];
const FIRST = ['Ana', 'José', 'Zoë', 'Søren', 'Chloé', 'Liam', 'Noah', 'Emma', 'Olivia', 'Mateo', 'Aiko', 'Björn', 'François', 'Priya', 'Wei', 'Fatima', 'Kofi', 'Ines'];
const LAST = ["O'Brien", 'Müller', 'García', 'Smith', 'Nguyen', 'Kowalski', 'Rossi', 'Johansson', 'Dubois', 'Tanaka', 'Okafor', 'Silva', 'Patel', 'Cohen', 'Novak', 'Haddad'];
const STREETS = ['Main St', 'Market Street', 'Rue de Rivoli', 'Königsallee', 'Baker Street', 'Avenida Paulista', 'Elm Ave', 'Harbor Blvd'];
const CITIES: [string, string, string, string][] = [
  ['San Francisco', 'CA', '94105', 'United States'], ['Paris', 'Île-de-France', '75001', 'France'], ['Düsseldorf', 'NRW', '40212', 'Germany'],
  ['London', 'England', 'NW1 6XE', 'United Kingdom'], ['São Paulo', 'SP', '01310-100', 'Brazil'], ['Tokyo', 'Tokyo', '100-0005', 'Japan'],
  ['Austin', 'TX', '78701', 'United States'], ['Toronto', 'ON', 'M5V 2T6', 'Canada'],
];
const WORDS = ['reliable', 'partner', 'renewal', 'pipeline', 'quarterly', 'review', 'escalation', 'contract', 'signed', 'pending', 'priority', 'migration', 'budget', 'forecast', 'onboarding', 'support'];

export interface GeneratorContext {
  seed: number;
  /** The org's anchor time: generated history ends here. */
  anchorMs: number;
  /** Generated rows per object name. */
  counts: ReadonlyMap<string, number>;
  /** Key prefix per object name. */
  prefixes: ReadonlyMap<string, string>;
}

export type RowGenerator = (index: number) => FieldValue;

function pick<T>(list: readonly T[], h: number): T {
  return list[h % list.length]!;
}

function companyName(h: number, i: number): string {
  const kind = h % 100;
  if (kind < 4) return `${pick(ACCENTED, h >>> 8)} ${i}`;
  if (kind < 5) return `${pick(CJK, h >>> 8)} ${i}`;
  const base = `${pick(COMPANY_A, h >>> 8)} ${pick(COMPANY_B, h >>> 16)}`;
  if (kind < 15) return `${base}, Inc. ${i}`;
  if (kind < 16) return `${base} "The Best" ${i}`;
  if (kind < 17) return `${base}\nHoldings ${i}`;
  return `${base} ${i}`;
}

/** SystemModstamp of base row i: non-decreasing in i, spread over HISTORY_MS. */
export function modstampOf(ctx: GeneratorContext, objectIndex: number, count: number, i: number): number {
  const step = HISTORY_MS / Math.max(1, count);
  const start = ctx.anchorMs - HISTORY_MS;
  const jitter = step >= 2 ? hash(ctx.seed, objectIndex, i, 7919) % Math.floor(step) : 0;
  return Math.floor(start + i * step) + Math.min(jitter, Math.max(0, Math.floor(step) - 1));
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Builds one generator per field of `spec`. Field generators only read (seed, i), except audit
 * dates, which derive from SystemModstamp so CreatedDate ≤ LastModifiedDate ≤ SystemModstamp.
 */
export function buildGenerators(ctx: GeneratorContext, spec: ObjectSpec, objectIndex: number): RowGenerator[] {
  const count = ctx.counts.get(spec.name) ?? 0;
  const modstamp = (i: number) => modstampOf(ctx, objectIndex, count, i);
  const refTo = (target: string, h: number): string | null => {
    const n = ctx.counts.get(target) ?? 0;
    const prefix = ctx.prefixes.get(target);
    return n > 0 && prefix ? makeId(prefix, h % n) : null;
  };

  return spec.fields.map((field: FieldSpec, f): RowGenerator => {
    const h = (i: number) => hash(ctx.seed, objectIndex, i, f);
    const nullable = field.nillable !== false && field.type !== 'boolean';
    const maybeNull = (i: number, percent: number) => nullable && h(i) % 100 < percent;
    switch (field.name) {
      case 'Id':
        return (i) => makeId(spec.keyPrefix ?? '000', i);
      case 'IsDeleted':
        return (i) => hash(ctx.seed, objectIndex, i, 104_729) % 50 === 0;
      case 'SystemModstamp':
      case 'LoginTime':
        return (i) => iso(modstamp(i));
      case 'LastModifiedDate':
        return (i) => iso(modstamp(i) - (h(i) % 5000));
      case 'CreatedDate':
        return (i) => iso(Math.max(ctx.anchorMs - HISTORY_MS - 30 * DAY_MS, modstamp(i) - 5000 - (h(i) % (200 * DAY_MS))));
      case 'Name':
        if (spec.name === 'Account') return (i) => companyName(h(i), i);
        if (spec.name === 'User' || spec.name === 'Contact') return (i) => `${pick(FIRST, h(i))} ${pick(LAST, h(i) >>> 8)}`;
        return (i) => `${spec.label} ${String(i).padStart(6, '0')}`;
      case 'FirstName':
        return (i) => pick(FIRST, hash(ctx.seed, objectIndex, i, 0x51));
      case 'LastName':
        return (i) => pick(LAST, hash(ctx.seed, objectIndex, i, 0x52) >>> 8);
      case 'Username':
        return (i) => `user${i}@emulated-org.example`;
      case 'Description':
        return (i) => (h(i) % 3 === 0 ? Array.from({ length: 28 + (h(i) % 8) }, (_, k) => pick(WORDS, hash(ctx.seed, i, k, f))).join(' ') + '.' : null);
      case 'ParentId':
        return (i) => (i > 0 && h(i) % 10 === 0 ? makeId(spec.keyPrefix!, h(i) % i) : null);
      case 'MasterRecordId':
        return () => null;
      case 'Title':
        return (i) => (maybeNull(i, 20) ? null : pick(['CEO', 'CFO', 'VP Sales', 'Buyer', 'Engineer', 'Directeur général'], h(i)));
      case 'VersionData':
        return (i) => Buffer.from(`Document ${i}: ${pick(WORDS, h(i))} ${pick(WORDS, h(i) >>> 8)}\n`).toString('base64');
      case 'ContentSize':
        return (i) => 20 + (h(i) % 40);
      case 'SourceIp':
        return (i) => `10.${h(i) % 256}.${(h(i) >>> 8) % 256}.${(h(i) >>> 16) % 256}`;
      case 'Status':
        if (spec.name === 'LoginHistory') return (i) => (h(i) % 20 === 0 ? 'Invalid Password' : 'Success');
        break;
      case 'OldValue':
      case 'NewValue':
        return (i) => (h(i) % 4 === 0 ? null : `${pick(COMPANY_A, h(i))} ${pick(COMPANY_B, h(i) >>> 8)}`);
      case 'IsClosed':
        return (i) => h(i) % 3 === 0;
      case 'Metadata__c':
        return (i) => (h(i) % 2 === 0 ? JSON.stringify({ source: pick(WORDS, h(i)), version: h(i) % 9 }) : null);
      default:
    }
    const cityOf = (i: number) => pick(CITIES, hash(ctx.seed, objectIndex, i, 0xc17));
    if (field.compoundFieldName) {
      const part = /(Street|City|State|PostalCode|Country|Latitude|Longitude|GeocodeAccuracy)(__s)?$/.exec(field.name)?.[1];
      const noAddress = (i: number) => hash(ctx.seed, objectIndex, i, 0xadd) % 10 === 0;
      switch (part) {
        case 'Street':
          return (i) => (noAddress(i) ? null : `${1 + (h(i) % 999)} ${pick(STREETS, h(i) >>> 10)}${h(i) % 5 === 0 ? `\nSuite ${100 + (h(i) % 900)}` : ''}`);
        case 'City':
          return (i) => (noAddress(i) ? null : cityOf(i)[0]);
        case 'State':
          return (i) => (noAddress(i) ? null : cityOf(i)[1]);
        case 'PostalCode':
          return (i) => (noAddress(i) ? null : cityOf(i)[2]);
        case 'Country':
          return (i) => (noAddress(i) ? null : cityOf(i)[3]);
        case 'Latitude':
          return (i) => (noAddress(i) || h(i) % 4 === 0 ? null : Math.round(((h(i) % 1_800_000) / 10_000 - 90) * 10_000) / 10_000);
        case 'Longitude':
          return (i) => (noAddress(i) || hash(ctx.seed, objectIndex, i, 0xadd) % 4 === 1 ? null : Math.round(((h(i) % 3_600_000) / 10_000 - 180) * 10_000) / 10_000);
        case 'GeocodeAccuracy':
          return (i) => (noAddress(i) ? null : pick(['Address', 'Street', 'Zip', 'City'], h(i)));
        default:
      }
    }
    switch (field.type) {
      case 'reference':
        if (field.name === 'OwnerId' || field.name === 'CreatedById' || field.name === 'LastModifiedById' || field.name === 'UserId' || field.name === 'RelationId')
          return (i) => refTo('User', h(i));
        return (i) => (maybeNull(i, 8) ? null : refTo(field.referenceTo![0]!, h(i)));
      case 'string':
      case 'encryptedstring':
        if (field.name.includes('Phone')) return (i) => (maybeNull(i, 10) ? null : `(${200 + (h(i) % 700)}) 555-${String(h(i) % 10000).padStart(4, '0')}`);
        if (field.type === 'encryptedstring') return (i) => (maybeNull(i, 30) ? null : String(100_000_000 + (h(i) % 899_999_999)));
        return (i) => (maybeNull(i, 15) ? null : `${pick(WORDS, h(i))} ${pick(WORDS, h(i) >>> 8)} ${h(i) % 1000}`.slice(0, field.length ?? 255));
      case 'textarea':
        return (i) => (maybeNull(i, 40) ? null : `${pick(WORDS, h(i))}, ${pick(WORDS, h(i) >>> 4)}\n"${pick(WORDS, h(i) >>> 8)}" — ${pick(FIRST, h(i) >>> 12)}`);
      case 'phone':
        return (i) => (maybeNull(i, 10) ? null : `(${200 + (h(i) % 700)}) 555-${String(h(i) % 10000).padStart(4, '0')}`);
      case 'email':
        return (i) => (maybeNull(i, 10) ? null : `${pick(FIRST, h(i)).toLowerCase()}.${i}@example.com`.normalize('NFD').replace(/[\u0300-\u036f]/g, ''));
      case 'url':
        return (i) => (maybeNull(i, 20) ? null : `https://www.${pick(COMPANY_A, h(i)).toLowerCase().replace(/ /g, '')}${i}.example.com`);
      case 'picklist':
      case 'combobox':
        return (i) => (maybeNull(i, 10) ? null : pick(field.picklist ?? ['A'], h(i)));
      case 'multipicklist':
        return (i) => (maybeNull(i, 20) ? null : (field.picklist ?? ['A']).filter((_, k) => (h(i) >>> k) & 1).join(';') || null);
      case 'boolean':
        return (i) => (h(i) & 1) === 1;
      case 'int':
        return (i) => (maybeNull(i, 10) ? null : h(i) % 100_000);
      case 'long':
        return (i) => (maybeNull(i, 10) ? null : (h(i) % 1_000_000) * 1_000_003);
      case 'double':
        return (i) => (maybeNull(i, 10) ? null : Math.round((h(i) % 100_000_000) - 20_000_000) / 100);
      case 'currency':
        return (i) => (maybeNull(i, 10) ? null : (h(i) % 50_000_000) / 100);
      case 'percent':
        return (i) => (maybeNull(i, 10) ? null : (h(i) % 10_000) / 100);
      case 'date':
        return (i) => (maybeNull(i, 15) ? null : iso(ctx.anchorMs - (h(i) % (6 * 365)) * DAY_MS).slice(0, 10));
      case 'datetime':
        return (i) => (maybeNull(i, 15) ? null : iso(ctx.anchorMs - (h(i) % HISTORY_MS)));
      case 'time':
        return (i) => (maybeNull(i, 15) ? null : `${String(h(i) % 24).padStart(2, '0')}:${String((h(i) >>> 8) % 4 * 15).padStart(2, '0')}:00.000Z`);
      case 'anyType':
      case 'json':
        return (i) => (maybeNull(i, 30) ? null : pick(WORDS, h(i)));
      default:
        return () => null;
    }
  });
}
