import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

// No container engine runs here: these check the deployment files' structure and
// the promises README makes about them. nginx.test.ts runs deploy/nginx.conf itself.
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const yaml = (path: string) => parse(read(path), { merge: true });

type K8sObject = { kind: string; metadata: { name: string }; spec: any; data?: any; stringData?: any };
const k8s: K8sObject[] = readdirSync(new URL('deploy/k8s/', root))
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) => parseAllDocuments(read(`deploy/k8s/${file}`)).map((doc) => doc.toJS() as K8sObject));
const byKind = (kind: string) => k8s.find((object) => object.kind === kind)!;

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('is multi-stage on node:24-slim with production dependencies only', () => {
    expect(dockerfile.match(/^FROM node:24-slim AS \w+$/gm)!.length).toBeGreaterThanOrEqual(2);
    // The whiteboard is built in its own stage; the runtime stage has no vite.
    expect(dockerfile).toMatch(/^COPY --from=web .*\/app\/web\/dist \.\/web\/dist$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/COPY --from=deps/);
  });
  it('installs everything the server imports (the image has no devDependencies)', () => {
    const dependencies = new Set(Object.keys(JSON.parse(read('package.json')).dependencies));
    const sources = ['src', 'extensions'].flatMap((dir) =>
      (readdirSync(new URL(`${dir}/`, root), { recursive: true }) as string[])
        .filter((f) => f.endsWith('.ts'))
        .map((f) => read(`${dir}/${f}`)),
    );
    const packages = new Set(
      sources.flatMap((source) => [...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from '([^'.][^']*)'/gm)].map((match) => match[1]!)),
    );
    const missing = [...packages]
      .filter((specifier) => !specifier.startsWith('node:'))
      .map((specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!))
      .filter((name) => !dependencies.has(name));
    expect(missing).toEqual([]);
  });

  it('ships the export fonts in the repository and one tldraw version for server and web', () => {
    const pkg = JSON.parse(read('package.json'));
    const all = { ...pkg.dependencies, ...pkg.devDependencies } as Record<string, string>;
    expect(Object.keys(all).filter((name) => name.startsWith('@expo-google-fonts/'))).toEqual([]);
    expect(readdirSync(new URL('assets/fonts/', root), { recursive: true }).filter((f) => String(f).endsWith('.ttf'))).toHaveLength(16);
    // Exact versions, all the same: two tldraw versions would load two copies of each package.
    const tldraw = Object.entries(all).filter(([name]) => name === 'tldraw' || name.startsWith('@tldraw/'));
    expect(new Set(tldraw.map(([, version]) => version))).toEqual(new Set([all.tldraw]));
    expect(all.tldraw).toMatch(/^\d+\.\d+\.\d+$/);
    // Charting (vega) is for benchmarks only and stays out of `npm ci --omit=dev`.
    expect(Object.keys(pkg.dependencies).filter((name) => name.startsWith('vega'))).toEqual([]);
  });

  it('runs as a non-root user, checks /healthz, and can run migrations alone', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(dockerfile).toMatch(/src\/db\/migrate-cli\.ts/);
    expect(existsSync(new URL('src/db/migrate-cli.ts', root))).toBe(true);
    for (const dir of ['src', 'extensions', 'drizzle', 'assets']) expect(dockerfile).toContain(`COPY --chown=root:root ${dir} ./${dir}`);
  });
});

describe('compose.yaml', () => {
  const compose = yaml('compose.yaml');
  const services = compose.services;
  it('has postgres 15 and redis 7 with healthchecks and volumes', () => {
    expect(services.postgres.image).toBe('postgres:15');
    expect(services.redis.image).toBe('redis:7');
    for (const name of ['postgres', 'redis']) {
      expect(services[name].healthcheck.test).toBeDefined();
      expect(services[name].volumes.length).toBeGreaterThan(0);
    }
  });
  it('runs a one-shot migration before two backend replicas, with nginx in front on one port', () => {
    expect(services.migrate.command).toEqual(['node', 'src/db/migrate-cli.ts']);
    const backends = Object.keys(services).filter((name) => /^backend-\d$/.test(name));
    expect(backends).toHaveLength(2);
    const instanceIds = backends.map((name) => services[name].environment.INSTANCE_ID);
    expect(new Set(instanceIds).size).toBe(2);
    for (const name of backends) {
      const backend = services[name];
      expect(backend.depends_on.migrate.condition).toBe('service_completed_successfully');
      expect(backend.environment.REDIS_URL).toBe('redis://redis:6379');
      expect(backend.environment.DATABASE_URL).toMatch(/@postgres:5432\//);
      // deploy/nginx.conf hashes over these names.
      expect(read('deploy/nginx.conf')).toContain(`server ${name}:3001`);
    }
    expect(services.nginx.volumes).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(services.nginx.ports.some((port: string) => port.endsWith(':80'))).toBe(true);
  });
});

describe('deploy/k8s', () => {
  it('Deployment: 3 replicas, resources, probes, preStop and a grace period that covers the flush', () => {
    const deployment = byKind('Deployment');
    expect(deployment.spec.replicas).toBe(3);
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.lifecycle.preStop).toBeDefined();
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(Number(container.lifecycle.preStop.exec.command[1]) + 10);
    expect(container.env.find((e: any) => e.name === 'INSTANCE_ID').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const sources = container.envFrom.map((source: any) => source.configMapRef?.name ?? source.secretRef?.name);
    expect(sources).toEqual([byKind('ConfigMap').metadata.name, byKind('Secret').metadata.name]);
  });
  it('Service, PDB and HPA select and target the Deployment', () => {
    const deployment = byKind('Deployment');
    const labels = deployment.spec.template.metadata.labels;
    expect(labels).toMatchObject(byKind('Service').spec.selector);
    expect(labels).toMatchObject(byKind('PodDisruptionBudget').spec.selector.matchLabels);
    const hpa = byKind('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(deployment.spec.replicas);
  });
  it('Ingress: TLS and affinity by the room path', () => {
    const ingress = byKind('Ingress') as any;
    expect(ingress.spec.tls[0].secretName).toBeDefined();
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/upstream-hash-by']).toBe('$uri');
    expect(Number(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe(byKind('Service').metadata.name);
  });
  it('the Secret is a template and kustomization lists every other file', () => {
    expect(Object.values(byKind('Secret').stringData).every((value) => String(value).includes('<'))).toBe(true);
    const kustomization = yaml('deploy/k8s/kustomization.yaml');
    const files = readdirSync(new URL('deploy/k8s/', root)).filter(
      (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && !f.includes('example'),
    );
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });
});

describe('.github/workflows/ci.yml', () => {
  it('runs the .ci/run steps with PostgreSQL and Redis services, and builds the image', () => {
    const workflow = yaml('.github/workflows/ci.yml');
    const test = workflow.jobs.test;
    expect(test.services.postgres.image).toBe('postgres:15');
    expect(test.services.redis.image).toBe('redis:7');
    const commands = test.steps.map((step: any) => step.run ?? '').join('\n');
    for (const command of ['npm ci', 'npm test', 'npm run test:e2e', 'nginx', 'redis-server']) expect(commands).toContain(command);
    for (const command of ['npm ci', 'npm test', 'npm run test:e2e']) expect(read('.ci/run')).toContain(command);
    expect(read('.ci/run')).toContain('npm test');
    expect(JSON.stringify(workflow.jobs.image)).toContain('docker/build-push-action');
  });
});

describe('client addresses behind the proxies (TRUSTED_PROXIES)', () => {
  it('compose and k8s believe only their proxies; nginx replaces a client-sent X-Forwarded-For', () => {
    const compose = yaml('compose.yaml');
    expect(compose.services['backend-1'].environment.TRUSTED_PROXIES).toMatch(/\d+\.\d+\.\d+\.\d+\/\d+/);
    expect(byKind('ConfigMap').data.TRUSTED_PROXIES).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+/);
    const nginx = read('deploy/nginx.conf');
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
    expect(nginx).not.toMatch(/\$proxy_add_x_forwarded_for/);
  });
});
