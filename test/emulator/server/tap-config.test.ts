import { createSign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type TapAuthFlow } from '../../../emulator/index.js';
import { api, httpRequest, postForm } from './http-client.js';

let em: Emulator;
beforeAll(async () => {
  em = await startEmulator({ records: 10 });
});
afterAll(async () => {
  await em.close();
});

/** Logs in the way a client reading only the tap config would, and returns a session. */
async function loginWith(config: Record<string, string>): Promise<{ token: string; instanceUrl: string }> {
  const token = async (params: Record<string, string>) => {
    const res = await postForm(`${config['login_url']}/services/oauth2/token`, params);
    expect(res.status).toBe(200);
    const body = res.json<{ access_token: string; instance_url: string }>();
    return { token: body.access_token, instanceUrl: body.instance_url };
  };
  switch (config['auth_type']) {
    case 'password':
      return token({ grant_type: 'password', client_id: config['client_id']!, client_secret: config['client_secret']!, username: config['username']!, password: config['password']! + config['security_token']! });
    case 'oauth_refresh_token':
      return token({ grant_type: 'refresh_token', client_id: config['client_id']!, client_secret: config['client_secret']!, refresh_token: config['refresh_token']! });
    case 'client_credentials':
      return token({ grant_type: 'client_credentials', client_id: config['client_id']!, client_secret: config['client_secret']! });
    case 'jwt': {
      const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const input = `${enc({ alg: 'RS256' })}.${enc({ iss: config['client_id'], sub: config['username'], aud: 'https://login.salesforce.com', exp: Math.floor(Date.now() / 1000) + 120 })}`;
      const signature = createSign('RSA-SHA256').update(input).sign(config['private_key']!).toString('base64url');
      return token({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: `${input}.${signature}` });
    }
    case 'soap': {
      const res = await httpRequest(`${config['login_url']}/services/Soap/u/64.0`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml' },
        body: `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><login xmlns="urn:partner.soap.sforce.com"><username>${config['username']}</username><password>${config['password']! + config['security_token']!}</password></login></e:Body></e:Envelope>`,
      });
      expect(res.status).toBe(200);
      const serverUrl = /<serverUrl>([^<]+)<\/serverUrl>/.exec(res.text)![1]!;
      return { token: /<sessionId>([^<]+)<\/sessionId>/.exec(res.text)![1]!, instanceUrl: new URL(serverUrl).origin };
    }
    case 'access_token':
      return { token: config['access_token']!, instanceUrl: config['instance_url']! };
    default:
      throw new Error(`unknown auth_type ${config['auth_type']}`);
  }
}

describe('tapConfig', () => {
  it.each<TapAuthFlow>(['password', 'oauth_refresh_token', 'client_credentials', 'jwt', 'soap', 'access_token'])(
    'gives a %s config whose login reaches the instance',
    async (flow) => {
      const config = em.tapConfig(flow);
      expect(config['auth_type']).toBe(flow);
      const session = await loginWith(config);
      expect(session.instanceUrl).toBe(em.instanceUrl);
      expect((await api(em, session.token, '/services/data/v62.0/sobjects')).status).toBe(200);
    },
  );

  it('points client credentials at the My Domain host', () => {
    expect(em.tapConfig('client_credentials')['login_url']).toBe(em.myDomainUrl);
  });
});
