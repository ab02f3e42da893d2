import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { freePort } from './redis-server.ts';

const CONFIG = fileURLToPath(new URL('../../deploy/nginx.conf', import.meta.url));

export interface Nginx {
  url: string;
  wsUrl: string;
  /** The TLS server block (self-signed certificate). */
  httpsUrl: string;
  config: string;
  stop(): Promise<void>;
}

/**
 * deploy/nginx.conf with the compose names replaced: backend-N:3001 by the given
 * upstreams, ports 80/443 by free local ports, the certificate by a fresh
 * self-signed one, and the temp/log paths by a private directory. Everything else
 * (hashing, headers, timeouts, TLS settings) is the file as shipped.
 */
export function renderNginxConfig(upstreams: string[], ports: { http: number; https: number }, dir: string): string {
  let config = readFileSync(CONFIG, 'utf8');
  const servers = [...config.matchAll(/^\s*server backend-\d+:3001.*$/gm)];
  if (servers.length < upstreams.length) throw new Error('deploy/nginx.conf lists fewer backends than the test starts');
  config = config.replace(/^(\s*)server backend-(\d+):3001(.*)$/gm, (_line, indent: string, n: string, rest: string) => {
    const upstream = upstreams[Number(n) - 1];
    return upstream ? `${indent}server ${upstream}${rest}` : '';
  });
  config = config
    .replace(/listen 80;/, `listen 127.0.0.1:${ports.http};`)
    .replace(/listen 443 ssl;/, `listen 127.0.0.1:${ports.https} ssl;`)
    .replace('/etc/nginx/tls/tls.crt', path.join(dir, 'tls.crt'))
    .replace('/etc/nginx/tls/tls.key', path.join(dir, 'tls.key'))
    .replace('access_log /dev/stdout;', 'access_log off;')
    .replace(
      /^http \{$/m,
      [
        'http {',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${path.join(dir, kind)};`),
      ].join('\n'),
    );
  return config;
}

/** Runs Debian's nginx with the repository's config in front of `upstreams` (host:port). */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  const dir = mkdtempSync(path.join(tmpdir(), 'scrible-nginx-'));
  chmodSync(dir, 0o755);
  for (const kind of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(path.join(dir, kind));
    chmodSync(path.join(dir, kind), 0o777);
  }
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      path.join(dir, 'tls.key'),
      '-out',
      path.join(dir, 'tls.crt'),
    ],
    { stdio: 'ignore' },
  );
  const ports = { http: await freePort(), https: await freePort() };
  const configPath = path.join(dir, 'nginx.conf');
  const config = renderNginxConfig(upstreams, ports, dir);
  writeFileSync(configPath, config);
  const globals = `daemon off; master_process on; pid ${path.join(dir, 'nginx.pid')}; error_log ${path.join(dir, 'error.log')} warn;`;
  execFileSync('nginx', ['-t', '-q', '-p', dir, '-c', configPath, '-g', globals], { stdio: 'pipe' });
  const child = spawn('nginx', ['-p', dir, '-c', configPath, '-g', globals], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGQUIT');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  onTestFinished(stop);
  // Wait until it accepts connections.
  const url = `http://127.0.0.1:${ports.http}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await fetch(`${url}/healthz`);
      break;
    } catch (error) {
      if (attempt > 100 || child.exitCode !== null) throw new Error(`nginx did not start: ${output}\n${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { url, wsUrl: url.replace(/^http/, 'ws'), httpsUrl: `https://127.0.0.1:${ports.https}`, config, stop };
}
