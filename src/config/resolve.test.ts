import { describe, expect, it } from 'vitest';
import { ConfigError, envLayer, layerFrom, parseEnvValue, resolveConfig } from './resolve.js';

describe('resolveConfig', () => {
  it('gives the documented defaults', () => {
    const { config, warnings } = resolveConfig({});
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8000, shutdown_timeout: 30 });
    expect(config.logging.format).toBe('auto');
    expect(config.plugins.codex.model_mappings).toEqual([
      { match: '^claude-.*haiku', target: 'gpt-5.4-mini', kind: 'regex', flags: [] },
      { match: 'claude-', target: 'gpt-5.6-sol', kind: 'prefix', flags: [] },
    ]);
    expect(warnings).toEqual([]);
  });

  it('applies defaults < file < environment < flags and records each source', () => {
    const resolved = resolveConfig({
      file: {
        path: '/etc/ccproxy.toml',
        data: { server: { port: 9000, host: '127.0.0.2' }, logging: { level: 'DEBUG' } },
      },
      env: {
        SERVER__PORT: '9100',
        PATH: '/usr/bin',
        PLUGINS__CODEX__BASE_URL: 'http://127.0.0.1:1/codex',
      },
      flags: layerFrom({ server: { port: 9200 } }, 'flag:--port'),
    });
    expect(resolved.config.server.port).toBe(9200);
    expect(resolved.config.server.host).toBe('127.0.0.2');
    expect(resolved.config.logging.level).toBe('debug');
    expect(resolved.config.plugins.codex.base_url).toBe('http://127.0.0.1:1/codex');
    expect(resolved.sources).toMatchObject({
      'server.port': 'flag:--port',
      'server.host': 'file:/etc/ccproxy.toml',
      'plugins.codex.base_url': 'env:PLUGINS__CODEX__BASE_URL',
    });
  });

  it('maps the documented override variables', () => {
    const { config, sources } = resolveConfig({
      env: {
        CCPROXY_CODEX_BASE_URL: 'http://x/codex',
        CCPROXY_CODEX_TOKEN_URL: 'http://x/token',
        CODEX_HOME: '/tmp/codex',
      },
    });
    expect(config.plugins.codex).toMatchObject({
      base_url: 'http://x/codex',
      token_url: 'http://x/token',
      codex_home: '/tmp/codex',
    });
    expect(sources['plugins.codex.codex_home']).toBe('env:CODEX_HOME');
  });

  it('names the bad key and where it came from', () => {
    expect(() => resolveConfig({ env: { SERVER__PORT: 'eighty' } })).toThrow(ConfigError);
    expect(() => resolveConfig({ env: { SERVER__PORT: 'eighty' } })).toThrow(
      /"server\.port".*environment variable SERVER__PORT/,
    );
    expect(() =>
      resolveConfig({
        file: {
          path: 'a.toml',
          data: { plugins: { codex: { model_mappings: [{ match: 'x' }] } } },
        },
      }),
    ).toThrow(/"plugins\.codex\.model_mappings\.0\.target".*a\.toml/);
  });

  it('keeps loading ccproxy-api files, warning about settings it does not use', () => {
    const { config, warnings } = resolveConfig({
      file: {
        path: 'old.toml',
        data: {
          server: { host: '127.0.0.1', port: 8000, log_level: 'INFO', bypass_mode: false },
          cors: { allow_origins: ['*'] },
          plugins: {
            codex: { enabled: true, supports_streaming: true },
            request_tracer: { enabled: true },
          },
        },
      },
    });
    expect(config.server.log_level).toBe('info');
    expect(warnings).toEqual([
      'Unknown setting "server.bypass_mode" (from old.toml) is ignored',
      'Unknown setting "cors" (from old.toml) is ignored',
      'Unknown setting "plugins.codex.supports_streaming" (from old.toml) is ignored',
    ]);
  });

  it('returns a frozen configuration', () => {
    const { config } = resolveConfig({});
    expect(Object.isFrozen(config.server)).toBe(true);
  });
});

describe('environment parsing', () => {
  it('reads JSON scalars and lists, keeps other text', () => {
    expect(parseEnvValue('8000')).toBe(8000);
    expect(parseEnvValue('true')).toBe(true);
    expect(parseEnvValue('["codex","metrics"]')).toEqual(['codex', 'metrics']);
    expect(parseEnvValue('127.0.0.1')).toBe('127.0.0.1');
    expect(parseEnvValue('sk-abc')).toBe('sk-abc');
  });

  it('only takes nested variables under known sections', () => {
    const layer = envLayer({
      SERVER__HOST: '0.0.0.0',
      HOME: '/root',
      FOO__BAR: '1',
      ENABLED_PLUGINS: '["codex"]',
    });
    expect(layer.values).toEqual({ server: { host: '0.0.0.0' }, enabled_plugins: ['codex'] });
  });

  it('reads no alias in a variable named like an Object property', () => {
    const env = { toString: '1', constructor: 'x', hasOwnProperty: 'y', CODEX_HOME: '/h' };
    expect(envLayer(env).values).toEqual({ plugins: { codex: { codex_home: '/h' } } });
  });

  it('keeps numeric-looking strings where a string is expected', () => {
    const { config } = resolveConfig({ env: { SECURITY__AUTH_TOKEN: '1234567890123456' } });
    expect(config.security.auth_token).toBe('1234567890123456');
  });

  it('refuses an empty or short access key, naming the key and its source', () => {
    for (const value of ['', '   ', 'short-key-15chr']) {
      expect(() => resolveConfig({ env: { SECURITY__AUTH_TOKEN: value } })).toThrow(
        /"security\.auth_token": the access key must be at least 16 characters.*generate-token.*\(from environment variable SECURITY__AUTH_TOKEN\)/,
      );
    }
  });

  it('allows "*" in allowed_origins only with an access key', () => {
    expect(() => resolveConfig({ env: { SECURITY__ALLOWED_ORIGINS: '["*"]' } })).toThrow(
      /"security\.allowed_origins": "\*" lets any web page call the proxy, so it needs an access key/,
    );
    const { config } = resolveConfig({
      env: { SECURITY__ALLOWED_ORIGINS: '["*"]', SECURITY__AUTH_TOKEN: 'a-key-of-sixteen-chars' },
    });
    expect(config.security.allowed_origins).toEqual(['*']);
  });
});
