import { AuthenticationFailures } from '../../src/auth/authentication-failures.js';
import { loadConfig } from '../../src/config/app-config.js';
import { loggableUrl } from '../../src/common/logging.js';

// What the access log writes of a URL: no secret in any spelling a parser would read as one.

describe('loggableUrl', () => {
  it.each([
    ['/System/Orders/5?hash=abc', '/System/Orders/5?hash=[redacted]'],
    ['/System/Orders/5?h%61sh=abc&expanded=1', '/System/Orders/5?h%61sh=[redacted]&expanded=1'],
    ['/System/Orders/5?hash[]=abc', '/System/Orders/5?hash[]=[redacted]'],
    ['/System/Orders/5?hash%5B%5D=abc', '/System/Orders/5?hash%5B%5D=[redacted]'],
    ['/System/Orders/5?HASH=abc', '/System/Orders/5?HASH=[redacted]'],
    ['/System/Orders/5;hash=abc', '/System/Orders/5;hash=[redacted]'],
    ['/System/Orders/5;hash=abc/item?x=1', '/System/Orders/5;hash=[redacted]/item?x=1'],
    ['/System/Orders?token=og_x', '/System/Orders?token=[redacted]'],
    ['/System/Orders?api_key=og_x&page=2', '/System/Orders?api_key=[redacted]&page=2'],
    ['/System/Orders?key=og_x;page=2', '/System/Orders?key=[redacted];page=2'],
    ['/System/Orders?access_token=og_x#frag', '/System/Orders?access_token=[redacted]'],
    ['/System/Orders?%zz=og_x', '/System/Orders?%zz=[redacted]'],
    ['/System/Orders?page=2&per_page=50', '/System/Orders?page=2&per_page=50'],
    ['/System/Orders?metadata[key]=v', '/System/Orders?metadata[key]=v'],
  ])('%s is logged as %s', (url, logged) => {
    expect(loggableUrl(url)).toBe(logged);
  });
});

describe('AuthenticationFailures', () => {
  it('blocks an address, and a key prefix from any address, once either reached the limit', async () => {
    const failures = new AuthenticationFailures(
      loadConfig({ AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_SECONDS: '60' }),
    );
    for (let i = 0; i < 3; i += 1) {
      expect(await failures.blockedFor('10.0.0.1', `og_pre${i}`)).toBeNull();
      await failures.failed('10.0.0.1', `og_pre${i}`);
    }
    expect(await failures.blockedFor('10.0.0.1', 'og_other')).toBeGreaterThan(0);
    expect(await failures.blockedFor('10.0.0.2', 'og_other')).toBeNull();
    for (let i = 0; i < 3; i += 1) await failures.failed(`10.0.1.${i}`, 'og_target');
    expect(await failures.blockedFor('10.0.0.3', 'og_target')).toBeGreaterThan(0);
    expect(await failures.blockedFor('10.0.0.3', 'og_other')).toBeNull();
  });

  it('counts nothing with the limit at 0', async () => {
    const failures = new AuthenticationFailures(loadConfig({ AUTH_FAILURE_LIMIT: '0' }));
    for (let i = 0; i < 10; i += 1) await failures.failed('10.0.0.1', 'og_pre');
    expect(await failures.blockedFor('10.0.0.1', 'og_pre')).toBeNull();
  });
});
