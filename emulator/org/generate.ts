/**
 * Deterministic seeded values: the value of field f of row i of object o is a pure function of
 * (seed, o, i, f), computed on demand, so millions of rows stream with flat memory and filters
 * evaluate only the fields they touch. Values look like a real org's: names with commas, quotes,
 * line breaks and accents, multi-line streets, ids of parents that exist.
 */
import { makeId } from './ids.js';
import type { FieldSpec, ObjectSpec } from './schema.js';
import type { FieldValue } from './types.js';
import { isoTime } from './iso-time.js';

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
const PRODUCT_LINES = ['GenWatt', 'Installation', 'SLA', 'Analytics', 'Edge Router', 'Cloud Backup', 'Field Service', 'Data Connector', 'Solar Panel', 'Training'];
const PRODUCT_KINDS = ['Diesel 200kW', 'Gasoline 1000kW', 'Industrial', 'Portable', 'Gold', 'Silver', 'Bronze', 'Enterprise', 'Starter', 'Pro'];
const CASE_SUBJECTS = ['Cannot log in', 'Invoice amount is wrong', 'Shipment delayed', 'Generator will not start', 'Error "500" on checkout', 'Paiement refusé', 'Feature request: export, then import', 'Password reset\nnot received', 'Seasonal maintenance', 'Réclamation: pièce manquante'];
const CAMPAIGN_THEMES = ['Spring Launch', 'Summer Webinar Series', 'User Conference', 'Holiday Promo', 'Partner Summit', 'Renewal Drive', 'Trade Show: Hannover Messe', 'Nurture "Q4"'];
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

/**
 * A row number as text. String(n) and template literals keep every result in V8's number-string
 * cache, which holds thousands of fresh strings alive through each young-generation collection:
 * over millions of rows that alone grows the young generation for the whole run. JSON's own
 * conversion writes the same digits without the cache.
 */
function digits(n: number): string {
  return JSON.stringify(n);
}

function pick<T>(list: readonly T[], h: number): T {
  return list[h % list.length]!;
}

function companyName(h: number, i: number): string {
  const kind = h % 100;
  if (kind < 4) return `${pick(ACCENTED, h >>> 8)} ${digits(i)}`;
  if (kind < 5) return `${pick(CJK, h >>> 8)} ${digits(i)}`;
  const base = `${pick(COMPANY_A, h >>> 8)} ${pick(COMPANY_B, h >>> 16)}`;
  if (kind < 15) return `${base}, Inc. ${digits(i)}`;
  if (kind < 16) return `${base} "The Best" ${digits(i)}`;
  if (kind < 17) return `${base}\nHoldings ${digits(i)}`;
  return `${base} ${digits(i)}`;
}

/** The default Name of generated rows ("Opportunity 000042"). */
function defaultName(label: string, i: number): string {
  return `${label} ${digits(i).padStart(6, '0')}`;
}

// Products, their standard price book entries and the opportunity products that use them share
// these functions of (seed, product index): an entry and a line item agree with their product.
const productHash = (seed: number, k: number, salt: number) => hash(seed, 0x9d2, k, salt);
const productName = (seed: number, k: number) => `${pick(PRODUCT_LINES, productHash(seed, k, 1))} ${pick(PRODUCT_KINDS, productHash(seed, k, 2) >>> 8)} ${digits(k)}`;
const productCode = (k: number) => `PRD-${digits(k + 1).padStart(5, '0')}`;
const listPrice = (seed: number, k: number) => 10 + (productHash(seed, k, 3) % 500_000) / 100;
const productActive = (seed: number, k: number) => productHash(seed, k, 4) % 10 !== 0;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** SystemModstamp of base row i: non-decreasing in i, spread over HISTORY_MS. */
export function modstampOf(ctx: GeneratorContext, objectIndex: number, count: number, i: number): number {
  const step = HISTORY_MS / Math.max(1, count);
  const start = ctx.anchorMs - HISTORY_MS;
  const jitter = step >= 2 ? hash(ctx.seed, objectIndex, i, 7919) % Math.floor(step) : 0;
  return Math.floor(start + i * step) + Math.min(jitter, Math.max(0, Math.floor(step) - 1));
}

const iso = isoTime;

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

  const related = buildRelatedGenerators(ctx, spec, objectIndex, modstamp, refTo);
  const userFirst = (i: number) => pick(FIRST, hash(ctx.seed, objectIndex, i, 0x51));
  const userLast = (i: number) => pick(LAST, hash(ctx.seed, objectIndex, i, 0x52) >>> 8);
  return spec.fields.map((field: FieldSpec, f): RowGenerator => {
    const h = (i: number) => hash(ctx.seed, objectIndex, i, f);
    const nullable = field.nillable !== false && field.type !== 'boolean';
    const maybeNull = (i: number, percent: number) => nullable && h(i) % 100 < percent;
    const own = related(field, h);
    if (own) return own;
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
        if (spec.name === 'User') return (i) => `${userFirst(i)} ${userLast(i)}`;
        if (spec.name === 'Contact') return (i) => `${pick(FIRST, h(i))} ${pick(LAST, h(i) >>> 8)}`;
        return (i) => defaultName(spec.label, i);
      case 'FirstName':
        return userFirst;
      case 'LastName':
        return userLast;
      case 'Alias':
        return (i) => `${userFirst(i).slice(0, 1)}${userLast(i)}`.normalize('NFD').replace(/[^A-Za-z]/g, '').slice(0, 6).toLowerCase() + digits(i % 100);
      case 'CommunityNickname':
        return (i) => `${userFirst(i)}.${digits(i)}`;
      case 'Username':
        return (i) => `user${digits(i)}@emulated-org.example`;
      case 'Description':
        return (i) => (h(i) % 3 === 0 ? Array.from({ length: 28 + (h(i) % 8) }, (_, k) => pick(WORDS, hash(ctx.seed, i, k, f))).join(' ') + '.' : null);
      case 'ParentId':
        return (i) => (i > 0 && h(i) % 10 === 0 ? makeId(spec.keyPrefix!, h(i) % i) : null);
      case 'MasterRecordId':
        return () => null;
      case 'Title':
        return (i) => (maybeNull(i, 20) ? null : pick(['CEO', 'CFO', 'VP Sales', 'Buyer', 'Engineer', 'Directeur général'], h(i)));
      case 'VersionData':
        return (i) => Buffer.from(`Document ${digits(i)}: ${pick(WORDS, h(i))} ${pick(WORDS, h(i) >>> 8)}\n`).toString('base64');
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
        if (field.referenceTo!.length > 1) {
          // Polymorphic (WhoId, WhatId): a row of one of the targets the org has rows of.
          const targets = field.referenceTo!.filter((t) => (ctx.counts.get(t) ?? 0) > 0);
          return (i) => (maybeNull(i, 8) || targets.length === 0 ? null : refTo(targets[(h(i) >>> 20) % targets.length]!, h(i)));
        }
        return (i) => (maybeNull(i, 8) ? null : refTo(field.referenceTo![0]!, h(i)));
      case 'string':
      case 'encryptedstring':
        if (field.name.includes('Phone')) return (i) => (maybeNull(i, 10) ? null : `(${200 + (h(i) % 700)}) 555-${String(h(i) % 10000).padStart(4, '0')}`);
        if (field.type === 'encryptedstring') return (i) => (maybeNull(i, 30) ? null : digits(100_000_000 + (h(i) % 899_999_999)));
        return (i) => (maybeNull(i, 15) ? null : `${pick(WORDS, h(i))} ${pick(WORDS, h(i) >>> 8)} ${h(i) % 1000}`.slice(0, field.length ?? 255));
      case 'textarea':
        return (i) => (maybeNull(i, 40) ? null : `${pick(WORDS, h(i))}, ${pick(WORDS, h(i) >>> 4)}\n"${pick(WORDS, h(i) >>> 8)}" — ${pick(FIRST, h(i) >>> 12)}`);
      case 'phone':
        return (i) => (maybeNull(i, 10) ? null : `(${200 + (h(i) % 700)}) 555-${String(h(i) % 10000).padStart(4, '0')}`);
      case 'email':
        return (i) => (maybeNull(i, 10) ? null : `${pick(FIRST, h(i)).toLowerCase()}.${digits(i)}@example.com`.normalize('NFD').replace(/[\u0300-\u036f]/g, ''));
      case 'url':
        return (i) => (maybeNull(i, 20) ? null : `https://www.${pick(COMPANY_A, h(i)).toLowerCase().replace(/ /g, '')}${digits(i)}.example.com`);
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

type FieldGenerators = (field: FieldSpec, h: (i: number) => number) => RowGenerator | undefined;

/**
 * Generators of the sales and service objects whose fields depend on each other: a converted
 * Lead has its converted ids and date, a closed Case its ClosedDate, a Task's IsClosed follows
 * its Status, a line item's prices follow its product's. Undefined = the generic generator.
 */
function buildRelatedGenerators(ctx: GeneratorContext, spec: ObjectSpec, objectIndex: number, modstamp: (i: number) => number, refTo: (target: string, h: number) => string | null): FieldGenerators {
  const { seed } = ctx;
  const salt = (i: number, s: number) => hash(seed, objectIndex, i, s);
  const idOf = (target: string, row: number | null): string | null => {
    const prefix = ctx.prefixes.get(target);
    return row === null || !prefix ? null : makeId(prefix, row);
  };
  const rowIn = (target: string, h: number): number | null => {
    const n = ctx.counts.get(target) ?? 0;
    return n > 0 ? h % n : null;
  };
  /** Close to the last modification: when a row was converted, closed or completed. */
  const lastChange = (i: number) => modstamp(i) - (salt(i, 0x1c) % 5000);
  const noDeletes = (field: FieldSpec) => (field.name === 'IsDeleted' ? () => false : undefined);

  switch (spec.name) {
    case 'Lead': {
      const converted = (i: number) => salt(i, 0xc0de) % 5 === 0;
      const first = (i: number) => pick(FIRST, hash(seed, objectIndex, i, 0x51));
      const last = (i: number) => pick(LAST, hash(seed, objectIndex, i, 0x52) >>> 8);
      return (field, h) => {
        switch (field.name) {
          case 'Name': return (i) => `${first(i)} ${last(i)}`;
          case 'Company': return (i) => companyName(h(i), i);
          case 'Status': return (i) => (converted(i) ? 'Closed - Converted' : pick(['Open - Not Contacted', 'Working - Contacted', 'Closed - Not Converted'], h(i)));
          case 'IsConverted': return converted;
          case 'ConvertedDate': return (i) => (converted(i) ? iso(lastChange(i)).slice(0, 10) : null);
          case 'ConvertedAccountId': return (i) => (converted(i) ? refTo('Account', h(i)) : null);
          case 'ConvertedContactId': return (i) => (converted(i) ? refTo('Contact', h(i)) : null);
          case 'ConvertedOpportunityId': return (i) => (converted(i) && h(i) % 4 !== 0 ? refTo('Opportunity', h(i)) : null);
          case 'IsUnreadByOwner': return (i) => !converted(i) && h(i) % 5 === 0;
          default: return undefined;
        }
      };
    }
    case 'Campaign': {
      const start = (i: number) => ctx.anchorMs - ((salt(i, 0x5a) % (5 * 365)) - 90) * DAY_MS;
      const end = (i: number) => start(i) + (7 + (salt(i, 0xed) % 120)) * DAY_MS;
      const status = (i: number) => (start(i) > ctx.anchorMs ? 'Planned' : end(i) > ctx.anchorMs ? 'In Progress' : salt(i, 0xab) % 10 === 0 ? 'Aborted' : 'Completed');
      const leads = (i: number) => salt(i, 0x1e) % 500;
      const opportunities = (i: number) => salt(i, 0x0b) % 40;
      const won = (i: number) => Math.floor(opportunities(i) * ((salt(i, 0x3c) % 60) / 100));
      const amount = (i: number) => 1000 + (salt(i, 0xa3) % 90_000);
      return (field, h) => {
        switch (field.name) {
          case 'Name': return (i) => `${pick(CAMPAIGN_THEMES, h(i))} ${new Date(start(i)).getUTCFullYear()} #${digits(i)}`;
          // Campaign hierarchies are common: a third of the campaigns belong to an earlier one.
          case 'ParentId': return (i) => (i > 0 && h(i) % 3 === 0 ? idOf('Campaign', h(i) % i) : null);
          case 'StartDate': return (i) => iso(start(i)).slice(0, 10);
          case 'EndDate': return (i) => iso(end(i)).slice(0, 10);
          case 'Status': return status;
          case 'IsActive': return (i) => status(i) === 'Planned' || status(i) === 'In Progress';
          case 'ActualCost': return (i) => (status(i) === 'Planned' ? null : (h(i) % 5_000_000) / 100);
          case 'NumberOfLeads': return leads;
          case 'NumberOfConvertedLeads': return (i) => Math.floor(leads(i) * ((h(i) % 30) / 100));
          case 'NumberOfContacts': return (i) => h(i) % 300;
          case 'NumberOfResponses': return (i) => Math.floor(leads(i) * ((h(i) % 50) / 100));
          case 'NumberOfOpportunities': return opportunities;
          case 'NumberOfWonOpportunities': return won;
          case 'AmountAllOpportunities': return (i) => opportunities(i) * amount(i);
          case 'AmountWonOpportunities': return (i) => won(i) * amount(i);
          default: return undefined;
        }
      };
    }
    case 'Product2':
      return (field, h) => {
        switch (field.name) {
          case 'Name': return (i) => productName(seed, i);
          case 'ProductCode': return productCode;
          case 'IsActive': return (i) => productActive(seed, i);
          case 'StockKeepingUnit': return (i) => (h(i) % 3 === 0 ? null : `SKU-${productCode(i).slice(4)}-${h(i) % 100}`);
          case 'ExternalId': return (i) => (h(i) % 2 === 0 ? null : `ERP-${digits(100_000 + i)}`);
          case 'DisplayUrl': return (i) => (h(i) % 4 === 0 ? `https://shop.example.com/p/${productCode(i).toLowerCase()}` : null);
          case 'IsArchived': return () => false;
          default: return noDeletes(field);
        }
      };
    case 'Pricebook2':
      return (field) => {
        switch (field.name) {
          case 'Name': return (i) => (i === 0 ? 'Standard Price Book' : `${pick(['Partner', 'EMEA', 'Reseller', 'Enterprise'], i)} Price Book`);
          case 'IsStandard': return (i) => i === 0;
          case 'IsActive': return () => true;
          case 'IsArchived': return () => false;
          case 'Description': return (i) => (i === 0 ? null : 'Prices for sales through partners, in EUR and USD');
          default: return noDeletes(field);
        }
      };
    case 'PricebookEntry':
      return (field) => {
        switch (field.name) {
          case 'Name': return (i) => productName(seed, i);
          case 'Pricebook2Id': return () => idOf('Pricebook2', rowIn('Pricebook2', 0));
          case 'Product2Id': return (i) => idOf('Product2', i < (ctx.counts.get('Product2') ?? 0) ? i : null);
          case 'UnitPrice': return (i) => listPrice(seed, i);
          case 'IsActive': return (i) => productActive(seed, i);
          case 'UseStandardPrice': return () => false;
          case 'ProductCode': return productCode;
          case 'IsArchived': return () => false;
          default: return noDeletes(field);
        }
      };
    case 'OpportunityLineItem': {
      const product = (i: number) => rowIn('Product2', salt(i, 0x9e));
      const opportunity = (i: number) => rowIn('Opportunity', salt(i, 0x0b));
      const quantity = (i: number) => 1 + (salt(i, 0x9a) % 20);
      const unitPrice = (i: number) => {
        const k = product(i);
        if (k === null) return null;
        const discount = salt(i, 0xd1) % 5 === 0 ? (salt(i, 0xd2) % 25) / 100 : 0;
        return round2(listPrice(seed, k) * (1 - discount));
      };
      return (field, h) => {
        switch (field.name) {
          case 'OpportunityId': return (i) => idOf('Opportunity', opportunity(i));
          case 'PricebookEntryId': return (i) => idOf('PricebookEntry', product(i));
          case 'Product2Id': return (i) => idOf('Product2', product(i));
          case 'ProductCode': return (i) => (product(i) === null ? null : productCode(product(i)!));
          case 'Name': return (i) => {
            const o = opportunity(i);
            const k = product(i);
            return o === null || k === null ? null : `${defaultName('Opportunity', o)} ${productName(seed, k)}`;
          };
          case 'Quantity': return quantity;
          case 'ListPrice': return (i) => (product(i) === null ? null : listPrice(seed, product(i)!));
          case 'UnitPrice': return unitPrice;
          case 'TotalPrice': return (i) => (unitPrice(i) === null ? null : round2(quantity(i) * unitPrice(i)!));
          case 'SortOrder': return (i) => (h(i) % 3 === 0 ? null : 1 + (h(i) % 10));
          default: return undefined;
        }
      };
    }
    case 'Case': {
      const closed = (i: number) => salt(i, 0xc1) % 10 < 6;
      const status = (i: number) => (closed(i) ? 'Closed' : pick(['New', 'Working', 'Escalated'], salt(i, 0x57)));
      const web = (i: number) => salt(i, 0x0e) % 3 === 0;
      return (field, h) => {
        switch (field.name) {
          case 'CaseNumber': return (i) => digits(1000 + i).padStart(8, '0');
          case 'Status': return status;
          case 'IsClosed': return closed;
          case 'ClosedDate': return (i) => (closed(i) ? iso(lastChange(i)) : null);
          case 'IsEscalated': return (i) => status(i) === 'Escalated' || h(i) % 20 === 0;
          case 'Origin': return (i) => (web(i) ? pick(['Web', 'Email'], h(i)) : 'Phone');
          case 'Subject': return (i) => (h(i) % 20 === 0 ? null : pick(CASE_SUBJECTS, h(i)));
          case 'SuppliedName': return (i) => (web(i) ? `${pick(FIRST, h(i))} ${pick(LAST, h(i) >>> 8)}` : null);
          case 'SuppliedEmail': return (i) => (web(i) ? `${pick(FIRST, h(i)).toLowerCase()}.${digits(i)}@example.org`.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : null);
          case 'SuppliedPhone': return (i) => (web(i) && h(i) % 2 === 0 ? `+1 (${200 + (h(i) % 700)}) 555-${String(h(i) % 10000).padStart(4, '0')}` : null);
          case 'SuppliedCompany': return (i) => (web(i) ? companyName(h(i), i) : null);
          default: return undefined;
        }
      };
    }
    case 'Task': {
      const subtype = (i: number) => pick(['Task', 'Task', 'Task', 'Email', 'Call', 'Call'], salt(i, 0x5b));
      const status = (i: number) => (subtype(i) === 'Email' ? 'Completed' : pick(['Not Started', 'In Progress', 'Completed', 'Completed', 'Waiting on someone else', 'Deferred'], salt(i, 0x57)));
      const priority = (i: number) => pick(['High', 'Normal', 'Normal', 'Low'], salt(i, 0x9f));
      const isCall = (i: number) => subtype(i) === 'Call';
      const reminder = (i: number) => status(i) !== 'Completed' && salt(i, 0x4e) % 4 === 0;
      const whatTargets = ['Account', 'Opportunity', 'Case', 'Campaign'].filter((t) => (ctx.counts.get(t) ?? 0) > 0);
      const what = (i: number): [string, string] | null => {
        const w = salt(i, 0x3a7);
        if (w % 4 === 0 || whatTargets.length === 0) return null;
        const target = whatTargets[(w >>> 8) % whatTargets.length]!;
        const id = refTo(target, w >>> 4);
        return id ? [target, id] : null;
      };
      return (field, h) => {
        switch (field.name) {
          case 'TaskSubtype': return subtype;
          case 'Status': return status;
          case 'IsClosed': return (i) => status(i) === 'Completed';
          case 'CompletedDateTime': return (i) => (status(i) === 'Completed' ? iso(lastChange(i)) : null);
          case 'Priority': return priority;
          case 'IsHighPriority': return (i) => priority(i) === 'High';
          case 'Subject': return (i) => (isCall(i) ? 'Call' : subtype(i) === 'Email' ? `Email: ${pick(WORDS, h(i))} ${pick(WORDS, h(i) >>> 8)}` : pick(['Send Letter', 'Send Quote', 'Other', 'Follow up: "renewal"'], h(i)));
          case 'Type': return (i) => (isCall(i) ? 'Call' : subtype(i) === 'Email' ? 'Email' : h(i) % 3 === 0 ? null : pick(['Meeting', 'Other'], h(i)));
          case 'WhatId': return (i) => what(i)?.[1] ?? null;
          case 'AccountId': return (i) => (what(i)?.[0] === 'Account' ? what(i)![1] : null);
          case 'CallDurationInSeconds': return (i) => (isCall(i) && status(i) === 'Completed' ? 15 + (h(i) % 1800) : null);
          case 'CallType': return (i) => (isCall(i) ? pick(['Internal', 'Inbound', 'Outbound'], h(i)) : null);
          case 'CallDisposition': return (i) => (isCall(i) && status(i) === 'Completed' ? pick(['Connected', 'Left voicemail', 'No answer', 'Call back later'], h(i)) : null);
          case 'CallObject': return (i) => (isCall(i) && h(i) % 2 === 0 ? `CTI-${digits(h(i) % 1_000_000)}` : null);
          case 'ReminderDateTime': return (i) => (reminder(i) ? iso(modstamp(i) + (1 + (h(i) % 30)) * DAY_MS) : null);
          case 'IsReminderSet': return reminder;
          case 'IsRecurrence': return () => false;
          case 'IsArchived': return (i) => h(i) % 20 === 0;
          default: return undefined;
        }
      };
    }
    default:
      return () => undefined;
  }
}
