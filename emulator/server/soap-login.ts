import { toId18 } from './ids.js';
import { escapeXml } from './oauth.js';
import type { Reply } from './reply.js';
import type { RequestContext } from './state.js';

const XML_TYPE = 'text/xml;charset=UTF-8';

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name as 'amp'];
  });
}

function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`).exec(xml);
  return match ? unescapeXml(match[1]!) : undefined;
}

export function soapFault(code: string, message: string, faultType = 'LoginFault'): Reply {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<soapenv:Body><soapenv:Fault>' +
    `<faultcode>sf:${code}</faultcode><faultstring>${escapeXml(`${code}: ${message}`)}</faultstring>` +
    `<detail><sf:${faultType} xsi:type="sf:${faultType}"><sf:exceptionCode>${code}</sf:exceptionCode>` +
    `<sf:exceptionMessage>${escapeXml(message)}</sf:exceptionMessage></sf:${faultType}></detail>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>';
  return { status: 500, headers: { 'Content-Type': XML_TYPE }, body };
}

/** POST /services/Soap/u/NN.0 (partner) or /services/Soap/c/NN.0 (enterprise): `login()`. */
export function handleSoapLogin(ctx: RequestContext): Reply {
  const { settings, credentials, sessions, org, urls } = ctx.state;
  const wsdl = ctx.params['wsdl'] === 'c' ? 'enterprise' : 'partner';
  const version = Number(ctx.params['version']);
  if (!(version >= settings.minApiVersion && version <= settings.soapLoginMaxApiVersion)) {
    return soapFault('UNSUPPORTED_API_VERSION', 'Invalid Api version specified on URL', 'UnexpectedErrorFault');
  }
  const xml = ctx.body.toString('utf8');
  if (!/<(?:[\w-]+:)?login[\s>]/.test(xml)) {
    return soapFault('INVALID_OPERATION', 'Only login() is served by this endpoint', 'UnexpectedErrorFault');
  }
  const username = element(xml, 'username') ?? '';
  const password = element(xml, 'password') ?? '';
  const passwordOk =
    password === credentials.password + credentials.securityToken ||
    (!settings.securityTokenRequired && password === credentials.password);
  if (username.toLowerCase() !== credentials.username.toLowerCase() || !passwordOk) {
    return soapFault('INVALID_LOGIN', 'Invalid username, password, security token; or user locked out.');
  }
  if (!settings.soapLoginEnabled) {
    // Orgs created in Winter '26 or later: an admin must turn on "Enable SOAP API login()". Wording [unverified].
    return soapFault('INVALID_OPERATION', 'SOAP API login() is disabled by default in this org and can be enabled by an admin.', 'UnexpectedErrorFault');
  }
  if (!settings.apiEnabled) return soapFault('API_DISABLED_FOR_ORG', 'API is not enabled for this Organization or Partner', 'UnexpectedErrorFault');

  const session = sessions.issue(org.userId, 'soap');
  const v = version.toFixed(1);
  const orgId18 = toId18(org.orgId);
  const userInfo: [string, string | null][] = [
    ['accessibilityMode', 'false'],
    ['chatterExternal', 'false'],
    ['currencySymbol', '$'],
    ['orgAttachmentFileSizeLimit', '5242880'],
    ['orgDefaultCurrencyIsoCode', 'USD'],
    ['orgDefaultCurrencyLocale', 'en_US'],
    ['orgDisallowHtmlAttachments', 'false'],
    ['orgHasPersonAccounts', 'false'],
    ['organizationId', orgId18],
    ['organizationMultiCurrency', 'false'],
    ['organizationName', 'Emulator Org'],
    ['profileId', '00e8c000000AbCdAAK'],
    ['roleId', null],
    ['sessionSecondsValid', String(settings.sessionTtlSeconds)],
    ['userDefaultCurrencyIsoCode', null],
    ['userEmail', credentials.username],
    ['userFullName', 'Integration User'],
    ['userId', org.userId],
    ['userLanguage', 'en_US'],
    ['userLocale', 'en_US'],
    ['userName', credentials.username],
    ['userTimeZone', 'America/Los_Angeles'],
    ['userType', 'Standard'],
    ['userUiSkin', 'Theme3'],
  ];
  const info = userInfo.map(([k, v]) => (v === null ? `<${k} xsi:nil="true"/>` : `<${k}>${escapeXml(v)}</${k}>`)).join('');
  const ns = wsdl === 'enterprise' ? 'urn:enterprise.soap.sforce.com' : 'urn:partner.soap.sforce.com';
  const kind = wsdl === 'enterprise' ? 'c' : 'u';
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    '<soapenv:Body><loginResponse><result>' +
    `<metadataServerUrl>${urls.instanceUrl}/services/Soap/m/${v}/${org.orgId}</metadataServerUrl>` +
    '<passwordExpired>false</passwordExpired>' +
    `<sandbox>${ctx.host === 'sandbox'}</sandbox>` +
    `<serverUrl>${urls.instanceUrl}/services/Soap/${kind}/${v}/${org.orgId}</serverUrl>` +
    `<sessionId>${session.token}</sessionId>` +
    `<userId>${org.userId}</userId>` +
    `<userInfo>${info}</userInfo>` +
    '</result></loginResponse></soapenv:Body></soapenv:Envelope>';
  return { status: 200, headers: { 'Content-Type': XML_TYPE }, body };
}
