/**
 * deploy/docker-compose.yml, checked without a Docker engine (none runs here): every file it
 * mounts exists, every secret comes from deploy/.env (documented in .env.example) and none is
 * written in the file, the service waits for healthy backends, Prometheus loads the rules of
 * deploy/prometheus (promtool check config) and Grafana gets the dashboards. The YAML is read
 * with PyYAML from scripts/k8s-tools.sh's cache (or the system's).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findTool, PROMTOOL, toolMissing } from '../support/tools.js';

const run = promisify(execFile);
const deploy = fileURLToPath(new URL('../../deploy', import.meta.url));
const pyyaml = join(process.env.MEMORY_ENGINE_CACHE ?? join(homedir(), '.cache', 'memory-engine'), 'k8s', 'pip');

interface Service {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  secrets?: string[];
}

async function yamlToJson(file: string): Promise<unknown> {
  const { stdout } = await run('python3', ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', file], { env: { ...process.env, PYTHONPATH: pyyaml } });
  return JSON.parse(stdout);
}

describe('docker compose', () => {
  it('mounts files that exist, takes every secret from .env, waits for healthy backends, provisions rules and dashboards', async () => {
    const compose = (await yamlToJson(join(deploy, 'docker-compose.yml'))) as { services: Record<string, Service>; secrets: Record<string, { environment: string }> };
    const s = compose.services;
    for (const [name, svc] of Object.entries(s)) {
      for (const v of svc.volumes ?? []) {
        const host = v.split(':')[0]!;
        if (host.startsWith('.')) expect(existsSync(resolve(deploy, host)), `${name}: ${host}`).toBe(true);
      }
    }
    // Secrets: only ${VAR:?…} references, each one documented in .env.example.
    const text = await readFile(join(deploy, 'docker-compose.yml'), 'utf8');
    const example = await readFile(join(deploy, '.env.example'), 'utf8');
    const required = [...new Set([...text.matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!))];
    expect(required.sort()).toEqual(['GRAFANA_ADMIN_PASSWORD', 'POSTGRES_PASSWORD', 'QDRANT_API_KEY', 'REDIS_PASSWORD']);
    for (const v of required) expect(example).toMatch(new RegExp(`^${v}=`, 'm'));
    expect(text).not.toMatch(/PASSWORD: (?!\$\{)\S/);
    expect(s['memory-engine']!.environment!.DATABASE_URL).toContain('${POSTGRES_PASSWORD:?');
    expect(compose.secrets.qdrant_api_key!.environment).toBe('QDRANT_API_KEY');
    // Health: the service starts once every backend reports healthy; each has a healthcheck.
    for (const backend of ['qdrant', 'redis', 'postgres']) {
      expect((s['memory-engine']!.depends_on as Record<string, { condition: string }>)[backend]!.condition, backend).toBe('service_healthy');
      expect(s[backend]!.healthcheck, backend).toBeDefined();
    }
    expect(s.prometheus!.volumes!.some((v) => v.startsWith('./prometheus/alert-rules.yml:'))).toBe(true);
    expect(s.grafana!.volumes!.some((v) => v.startsWith('./grafana/dashboards:'))).toBe(true);
    expect(s.grafana!.environment!.GF_SECURITY_ADMIN_PASSWORD).toContain('${GRAFANA_ADMIN_PASSWORD:?');
  });

  const promtool = findTool(PROMTOOL) ?? toolMissing(PROMTOOL, 'apt-get install prometheus');
  it.skipIf(!promtool)("gives Prometheus a valid configuration with the project's rules", async () => {
    // The container's paths, pointed at the repository's files.
    const dir = await mkdtemp(join(tmpdir(), 'me-compose-'));
    try {
      const config = (await readFile(join(deploy, 'prometheus.yml'), 'utf8'))
        .replace('/etc/prometheus/rules/recording-rules.yml', join(deploy, 'prometheus', 'recording-rules.yml'))
        .replace('/etc/prometheus/rules/alert-rules.yml', join(deploy, 'prometheus', 'alert-rules.yml'))
        .replace('/run/secrets/qdrant_api_key', join(dir, 'qdrant_api_key'));
      await writeFile(join(dir, 'qdrant_api_key'), 'key');
      await writeFile(join(dir, 'prometheus.yml'), config);
      const { stdout } = await run(promtool!, ['check', 'config', join(dir, 'prometheus.yml')]);
      expect(stdout).toMatch(/SUCCESS: 2 rule files found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
