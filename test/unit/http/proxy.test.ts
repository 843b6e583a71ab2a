import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parse-config.js';
import { connectSalesforce } from '../../../src/salesforce/http/connect-client.js';

let target: Server;
let proxy: Server;
let targetUrl: string;
let proxyUrl: string;
const proxied: string[] = [];

beforeAll(async () => {
  target = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/services/oauth2/token' ? JSON.stringify({ access_token: '00D!proxied', instance_url: targetUrl }) : JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  // A forward proxy that tunnels CONNECT and forwards absolute-URI requests, recording both.
  proxy = createServer((req, res) => {
    proxied.push(`forward ${req.url}`);
    const upstream = httpRequest(req.url!, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on('connect', (req, socket, head) => {
    proxied.push(`connect ${req.url}`);
    const [host, port] = req.url!.split(':');
    const upstream = connect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  target.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await new Promise<void>((resolve) => target.close(() => resolve()));
});

describe('proxy support', () => {
  it('sends logins and API calls through the configured proxy', async () => {
    const config = parseConfig({ client_id: 'c', refresh_token: 'r-token', login_url: targetUrl });
    const { client, close } = await connectSalesforce(config, { proxy: { httpProxy: proxyUrl } });
    expect(await client.json('limits')).toEqual({ path: '/services/data/v65.0/limits' });
    await close();
    expect(proxied.length).toBeGreaterThan(0);
  });

  it('connects directly to hosts listed in NO_PROXY', async () => {
    proxied.length = 0;
    const config = parseConfig({ client_id: 'c', refresh_token: 'r-token', login_url: targetUrl });
    const { client, close } = await connectSalesforce(config, { proxy: { httpProxy: proxyUrl, noProxy: '127.0.0.1' } });
    await client.json('limits');
    await close();
    expect(proxied).toEqual([]);
  });
});
