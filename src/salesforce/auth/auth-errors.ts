/**
 * Login failures as auth TapErrors that say what to do. Salesforce answers most of them with the
 * same few codes (`invalid_grant` covers a wrong password, a missing security token and a blocked
 * username-password flow alike), so the messages name every likely cause for the flow used.
 * Codes are `SF_<ERROR>` in upper case (`SF_INVALID_GRANT`, `SF_INVALID_LOGIN`). Advice that
 * belongs to one flow lives in that flow's module (`FlowAdvice`) and wins over the generic words.
 */

/** A flow's own advice per OAuth error code (`invalid_grant`, ...), when the description says nothing more specific. */
export type FlowAdvice = Readonly<Partial<Record<string, string>>>;
import { TapError } from '../../core/errors.js';
import { secrets } from '../../core/secrets.js';

function advice(flowAdvice: FlowAdvice, error: string, description: string): string {
  const d = description.toLowerCase();
  switch (error) {
    case 'invalid_grant':
      if (d.includes('expired access/refresh token') || d.includes('refresh token')) {
        return 'The refresh token is revoked, expired, or was already used (with refresh token rotation each token works once): authorize the app again to get a new one.';
      }
      if (d.includes("hasn't approved") || d.includes('not approved')) {
        return 'The user has not approved this app: in Setup → Manage Connected Apps set "Permitted Users" to "Admin approved users are pre-authorized" and add the user\'s profile or permission set.';
      }
      if (d.includes('audience')) {
        return 'The JWT audience is wrong: use https://login.salesforce.com for production, https://test.salesforce.com for sandboxes (is_sandbox), or set `jwt_audience`.';
      }
      if (d.includes('ip restricted')) return 'The login came from an IP address the org or app does not allow.';
      return flowAdvice.invalid_grant ?? 'Salesforce refused the credentials.';
    case 'invalid_client_id':
      return 'Salesforce does not know this client_id on this login host. A new connected app takes 2–10 minutes to become active; also check the consumer key and whether the org is a sandbox (is_sandbox / login_url).';
    case 'invalid_client':
    case 'invalid_client_credentials':
      return 'The client secret does not match the client_id: copy the consumer secret again from the app.';
    case 'unsupported_grant_type':
      return flowAdvice.unsupported_grant_type ?? 'This login flow is not enabled for the app.';
    case 'oauth_approval_error_generic':
      return 'The connected app is not installed or approved in this org: an admin must install it, or grant "Approve Uninstalled Connected Apps" (or "Use Any API Client") to the user.';
    case 'inactive_user':
      return 'The Salesforce user is inactive or frozen.';
    case 'inactive_org':
      return 'The org is locked, expired or closed.';
    case 'rate_limit_exceeded':
      return 'Too many login attempts: wait before trying again.';
    case 'invalid_request':
      return flowAdvice.invalid_request ?? 'Salesforce rejected the login request.';
    default:
      return 'Salesforce refused the login.';
  }
}

/** An OAuth token endpoint error (`{"error","error_description"}`). */
export function oauthLoginError(flowAdvice: FlowAdvice, error: string, description: string, status: number): TapError {
  const kind = error === 'rate_limit_exceeded' || status >= 500 ? 'transient' : 'auth';
  const text = `Login failed (${error}: ${secrets.redact(description)}). ${advice(flowAdvice, error.toLowerCase(), description)}`;
  return new TapError(`SF_${error.toUpperCase()}`, text, { kind, detail: `HTTP ${status}` });
}

const SOAP_ADVICE: Readonly<Record<string, string>> = {
  INVALID_LOGIN: 'Check the username, the password and the security token (appended to the password; a password change resets it, and logins from outside trusted IP ranges need it).',
  LOGIN_MUST_USE_SECURITY_TOKEN: 'This login needs the security token: set `security_token` (Settings → Reset My Security Token emails a new one).',
  INVALID_OPERATION_WITH_EXPIRED_PASSWORD: 'The user\'s password has expired: log in to Salesforce once and set a new one.',
  API_DISABLED_FOR_ORG: 'The API is not enabled for this org (Professional Edition needs the API add-on).',
  API_CURRENTLY_DISABLED: 'API access is disabled for this user: grant the "API Enabled" permission.',
  UNSUPPORTED_API_VERSION: 'SOAP login() is gone from API 65.0 on and disabled by default in orgs created in Winter \'26 or later (an admin can turn on "Enable SOAP API login()"). Prefer the refresh token, JWT or client credentials flow.',
  INSUFFICIENT_ACCESS: 'The user lacks the permission to log in through the API ("API Enabled", or "Use Any API Client" for uninstalled apps).',
  LOGIN_RATE_EXCEEDED: 'Too many logins for this user: wait before trying again.',
};

/** A SOAP login fault (`<faultcode>sf:INVALID_LOGIN</faultcode>`). */
export function soapLoginError(faultCode: string, faultString: string, status: number): TapError {
  const code = faultCode.replace(/^.*:/, '');
  const hint = SOAP_ADVICE[code] ?? (/login\(\)|soap api login/i.test(faultString) ? SOAP_ADVICE.UNSUPPORTED_API_VERSION! : 'Salesforce refused the SOAP login.');
  const kind = code === 'LOGIN_RATE_EXCEEDED' ? 'transient' : 'auth';
  return new TapError(`SF_${code}`, `Login failed (${code}: ${secrets.redact(faultString)}). ${hint}`, { kind, detail: `HTTP ${status}` });
}
