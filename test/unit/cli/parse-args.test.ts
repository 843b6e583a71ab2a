import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/cli/parse-args.js';

describe('parseArgs', () => {
  it('reads the Airbyte commands', () => {
    expect(parseArgs(['spec'])).toMatchObject({ protocol: 'airbyte', command: 'spec' });
    expect(parseArgs(['check', '--config', 'c.json'])).toMatchObject({ protocol: 'airbyte', command: 'check', configPath: 'c.json' });
    expect(parseArgs(['read', '--config', 'c.json', '--catalog', 'k.json', '--state', 's.json', '--debug'])).toEqual({
      protocol: 'airbyte', command: 'read', configPath: 'c.json', catalogPath: 'k.json', statePath: 's.json', debug: true,
    });
  });

  it('reads the Singer flags, --properties as --catalog and repeated --config', () => {
    expect(parseArgs(['--config', 'a.json', '--discover'])).toMatchObject({ protocol: 'singer', command: 'discover', configSources: ['a.json'] });
    expect(parseArgs(['--config', 'a.json', '--properties', 'p.json', '--state', 's.json'])).toMatchObject({ command: 'read', catalogPath: 'p.json', statePath: 's.json' });
    expect(parseArgs(['--config', 'a.json', '--config', 'ENV'])).toMatchObject({ command: 'read', configSources: ['a.json', 'ENV'] });
    expect(parseArgs(['--config', 'a.json'])).not.toHaveProperty('catalogPath');
    expect(parseArgs(['--config', 'a.json', '--test'])).toMatchObject({ command: 'check' });
    expect(parseArgs(['--about', '--format', 'json'])).toMatchObject({ command: 'about', format: 'json' });
    expect(parseArgs(['--about'])).toMatchObject({ command: 'about', format: 'markdown' });
    expect(parseArgs(['--version'])).toMatchObject({ command: 'version' });
  });

  it.each([
    [['check']],
    [['read', '--config', 'c.json']],
    [['--discover']],
    [['--config', 'a.json', '--catlog', 'x']],
    [['sync', '--config', 'a.json']],
    [['--config', 'a.json', '--catalog', 'a', '--properties', 'b']],
    [['--about', '--format', 'yaml']],
  ])('refuses %j with an argument error', (argv) => {
    expect(() => parseArgs(argv)).toThrow(expect.objectContaining({ code: 'TAP_ARGUMENTS_INVALID', kind: 'config' }));
  });
});
