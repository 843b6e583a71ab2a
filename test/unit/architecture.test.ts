import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('module boundaries', () => {
  it('keeps the tap free of emulator imports', () => {
    const offenders = sourceFiles(join(root, 'src')).filter((f) => imports(f).some((i) => i.includes('emulator')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('keeps the emulator free of tap imports', () => {
    const offenders = sourceFiles(join(root, 'emulator')).filter((f) => imports(f).some((i) => /(^|\/)src\//.test(i)));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('keeps salesforce/ ignorant of the protocols', () => {
    const offenders = sourceFiles(join(root, 'src', 'salesforce')).filter((f) =>
      imports(f).some((i) => i.includes('/protocol/') || i.includes('/cli/') || i.includes('/commands/')),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('lets no code outside protocol/ ask which protocol it speaks', () => {
    const offenders = sourceFiles(join(root, 'src'))
      .filter((f) => !f.startsWith(join(root, 'src', 'protocol')))
      .filter((f) => /['"](airbyte|singer)['"]/i.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('never calls console.* in src/', () => {
    const offenders = sourceFiles(join(root, 'src')).filter((f) => /\bconsole\.(log|error|warn|info|debug)\(/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
