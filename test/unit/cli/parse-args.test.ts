import { describe, expect, it } from 'vitest';
import { chooseProtocol, parseArgs } from '../../../src/cli/parse-args.js';
import { airbyteProtocol } from '../../../src/protocol/airbyte/adapter.js';
import { singerProtocol } from '../../../src/protocol/singer/adapter.js';

describe('parseArgs', () => {
  it('reads the Airbyte commands', () => {
    expect(parseArgs(['spec'])).toMatchObject({ protocol: airbyteProtocol, command: 'spec' });
    expect(parseArgs(['check', '--config', 'c.json'])).toMatchObject({ protocol: airbyteProtocol, command: 'check', configSources: [{ kind: 'file', path: 'c.json' }] });
    expect(parseArgs(['read', '--config', 'c.json', '--catalog', 'k.json', '--state', 's.json', '--debug'])).toEqual({
      protocol: airbyteProtocol, command: 'read', configSources: [{ kind: 'file', path: 'c.json' }], catalogPath: 'k.json', statePath: 's.json', debug: true,
    });
    // Airbyte has no `ENV` config source: it is a file name there.
    expect(parseArgs(['discover', '--config', 'ENV'])).toMatchObject({ configSources: [{ kind: 'file', path: 'ENV' }] });
  });

  it('reads the Singer flags, --properties as --catalog and repeated --config', () => {
    expect(parseArgs(['--config', 'a.json', '--discover'])).toMatchObject({ protocol: singerProtocol, command: 'discover', configSources: [{ kind: 'file', path: 'a.json' }] });
    expect(parseArgs(['--config', 'a.json', '--properties', 'p.json', '--state', 's.json'])).toMatchObject({ command: 'read', catalogPath: 'p.json', statePath: 's.json' });
    expect(parseArgs(['--config', 'a.json', '--config', 'ENV'])).toMatchObject({ command: 'read', configSources: [{ kind: 'file', path: 'a.json' }, { kind: 'env' }] });
    expect(parseArgs(['--config', 'a.json'])).not.toHaveProperty('catalogPath');
    expect(parseArgs(['--config', 'a.json', '--test'])).toMatchObject({ command: 'check' });
    expect(parseArgs(['--about', '--format', 'json'])).toMatchObject({ command: 'about', format: 'json' });
    expect(parseArgs(['--about'])).toMatchObject({ command: 'about', format: 'markdown' });
    expect(parseArgs(['--version'])).toMatchObject({ command: 'version' });
  });

  it('reads auth login: 127.0.0.1 callback on port 8976 unless --port or --redirect-uri', () => {
    expect(parseArgs(['auth', 'login', '--client-id', 'abc'])).toEqual({
      protocol: singerProtocol,
      command: 'auth-login',
      debug: false,
      login: { clientId: 'abc', sandbox: false, port: 8976, scopes: 'api refresh_token', configOut: 'tap-salesforce.config.json', force: false, timeoutSeconds: 300, openBrowser: true },
    });
    expect(parseArgs(['auth', 'login', '--client-id', 'abc', '--port', '0', '--sandbox', '--no-browser', '--force', '--config-out', 'x.json', '--scopes', 'api'])).toMatchObject({
      login: { port: 0, sandbox: true, openBrowser: false, force: true, configOut: 'x.json', scopes: 'api' },
    });
    expect(parseArgs(['auth', 'login', '--client-id', 'abc', '--redirect-uri', 'http://localhost:1717/OauthRedirect', '--login-url', 'https://acme.my.salesforce.com'])).toMatchObject({
      login: { redirectUri: 'http://localhost:1717/OauthRedirect', loginUrl: 'https://acme.my.salesforce.com' },
    });
  });

  it.each([
    [['auth', 'login']],
    [['auth', 'logout', '--client-id', 'a']],
    [['auth', 'login', '--client-id', 'a', '--port', '70000']],
    [['auth', 'login', '--client-id', 'a', '--port', 'http']],
    [['auth', 'login', '--client-id', 'a', '--port', '8976', '--redirect-uri', 'http://127.0.0.1:1/callback']],
    [['auth', 'login', '--client-id', 'a', '--sandbox', '--login-url', 'https://acme.my.salesforce.com']],
  ])('refuses auth login arguments %j', (argv) => {
    expect(() => parseArgs(argv)).toThrow(expect.objectContaining({ code: 'TAP_ARGUMENTS_INVALID', kind: 'config' }));
  });

  it('chooses the protocol from the first argument, before parsing, so argument errors are reported in it', () => {
    expect(chooseProtocol(['read', '--nonsense'])).toBe(airbyteProtocol);
    expect(chooseProtocol(['frobnicate'])).toBe(airbyteProtocol);
    expect(chooseProtocol(['--config', 'c.json'])).toBe(singerProtocol);
    expect(chooseProtocol(['auth', 'login'])).toBe(singerProtocol);
    expect(chooseProtocol([])).toBe(singerProtocol);
  });

  it('accepts --quiet on reads of both protocols', () => {
    expect(parseArgs(['read', '--config', 'c.json', '--catalog', 'k.json', '--quiet'])).toMatchObject({ command: 'read' });
    expect(parseArgs(['--config', 'c.json', '--quiet'])).toMatchObject({ command: 'read' });
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
