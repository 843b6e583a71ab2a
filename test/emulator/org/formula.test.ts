import { describe, expect, it } from 'vitest';
import { compileFormula } from '../../../emulator/org/formula.js';

describe('formula evaluation', () => {
  it('multiplies, adds and keeps operator precedence, percent inputs as fractions', () => {
    const total = compileFormula('Amount__c * (1 + Tax_Rate__c)');
    expect(total.inputs).toEqual([['Amount__c'], ['Tax_Rate__c']]);
    expect(total.evaluate((p) => (p[0] === 'Amount__c' ? 200 : 0.1))).toBeCloseTo(220);
    expect(compileFormula('2 + 3 * 4 - -1').evaluate(() => null)).toBe(15);
  });

  it('concatenates text across a lookup, blanks read as empty text', () => {
    const label = compileFormula("FirstName & ' ' & LastName & \" @ \" & UPPER(Account.Name)");
    expect(label.inputs).toEqual([['FirstName'], ['LastName'], ['Account', 'Name']]);
    const values: Record<string, string | null> = { FirstName: null, LastName: 'Lovelace', 'Account.Name': 'acme' };
    expect(label.evaluate((p) => values[p.join('.')] ?? null)).toBe(' Lovelace @ ACME');
  });

  it('treats blanks as blanks in arithmetic, and knows TEXT, BLANKVALUE and ROUND', () => {
    expect(compileFormula('Amount__c * 2').evaluate(() => null)).toBeNull();
    expect(compileFormula("BLANKVALUE(Name, 'none')").evaluate(() => null)).toBe('none');
    expect(compileFormula('ROUND(Amount__c / 3, 2)').evaluate(() => 10)).toBe(3.33);
    expect(compileFormula('TEXT(Amount__c)').evaluate(() => 12.5)).toBe('12.5');
  });

  it('refuses text outside the subset', () => {
    expect(() => compileFormula('Amount__c *')).toThrow(/formula/);
    expect(() => compileFormula('NOPE(1)').evaluate(() => null)).toThrow(/unknown function/);
  });
});
