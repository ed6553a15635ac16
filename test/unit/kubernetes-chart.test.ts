/**
 * deploy/kubernetes/memory-engine: `helm lint` passes and `helm template` renders manifests that
 * kubeconform validates strictly (unknown fields refused) against the Kubernetes OpenAPI schemas
 * and the Prometheus Operator's CRDs, in both modes; a production install without its backend
 * URLs is refused. helm, kubeconform and the schemas come from `bash scripts/k8s-tools.sh` (Go
 * module proxy); without them these tests skip loudly, and fail under CI=true.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const chart = fileURLToPath(new URL('../../deploy/kubernetes/memory-engine', import.meta.url));
const alertRules = fileURLToPath(new URL('../../deploy/prometheus/alert-rules.yml', import.meta.url));

function findTools(): { helm: string; kubeconform: string; schemas: string } | undefined {
  const dir = process.env.K8S_TOOLS_DIR ?? join(process.env.MEMORY_ENGINE_CACHE ?? join(homedir(), '.cache', 'memory-engine'), 'k8s');
  const tools = { helm: join(dir, 'bin', 'helm'), kubeconform: join(dir, 'bin', 'kubeconform'), schemas: join(dir, 'schemas') };
  if (Object.values(tools).every((p) => existsSync(p))) return tools;
  const msg = `helm, kubeconform or their schemas not found in ${dir}: run \`bash scripts/k8s-tools.sh\`. Kubernetes chart tests are SKIPPED.`;
  if (process.env.CI === 'true') throw new Error(`${msg} In CI this is a failure.`);
  console.warn(`\n!!!!!!!!\n!!! ${msg}\n!!!!!!!!\n`);
  return undefined;
}
const tools = findTools();

const PRODUCTION = ['--set', 'secret.QDRANT_URL=http://qdrant:6333', '--set', 'secret.REDIS_URL=redis://redis:6379', '--set', 'secret.DATABASE_URL=postgres://memory:secret@postgres/memory'];

async function template(...args: string[]): Promise<string> {
  return (await run(tools!.helm, ['template', 'me', chart, ...args])).stdout;
}

/** kubeconform -strict over rendered manifests: resolves with the kinds it validated. */
async function validate(manifests: string): Promise<string[]> {
  const child = run(tools!.kubeconform, ['-strict', '-output', 'json', '-verbose', '-schema-location', `${tools!.schemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, '-']);
  child.child.stdin!.end(manifests);
  const { stdout } = await child;
  const report = JSON.parse(stdout) as { resources: { kind: string; status: string; msg: string }[] };
  for (const r of report.resources) expect(r.status, `${r.kind}: ${r.msg}`).toBe('statusValid');
  return report.resources.map((r) => r.kind).sort();
}

describe.skipIf(!tools)('Kubernetes chart', () => {
  it('passes helm lint in both modes', async () => {
    expect((await run(tools!.helm, ['lint', chart, ...PRODUCTION])).stdout).toContain('0 chart(s) failed');
    expect((await run(tools!.helm, ['lint', chart, '--set', 'mode=embedded'])).stdout).toContain('0 chart(s) failed');
  });

  it('renders a valid production install: Deployment, HPA, PDB, Service, Secret, ServiceMonitor, PrometheusRule', async () => {
    const manifests = await template(...PRODUCTION, '--set', 'serviceMonitor.enabled=true', '--set', 'prometheusRule.enabled=true');
    expect(await validate(manifests)).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'PrometheusRule', 'Secret', 'Service', 'ServiceMonitor']);
    // Probes on gRPC health and the HTTP endpoints; the grace period covers the drain.
    expect(manifests).toMatch(/readinessProbe:\s+grpc:\s+\{ port: 50051, service: memory\.v1\.MemoryService \}/);
    expect(manifests).toContain('terminationGracePeriodSeconds: 30');
    expect(manifests).toMatch(/name: SHUTDOWN_GRACE_MS, value: "10000"/);
    // The PrometheusRule carries every alert of deploy/prometheus.
    const alerts = [...(await readFile(alertRules, 'utf8')).matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
    expect(alerts.length).toBeGreaterThan(10);
    for (const a of alerts) expect(manifests, a).toContain(`alert: ${a}`);
  });

  it('renders a valid embedded install: one StatefulSet replica with a volume, no HPA', async () => {
    const manifests = await template('--set', 'mode=embedded');
    expect(await validate(manifests)).toEqual(['PodDisruptionBudget', 'Service', 'StatefulSet']);
    expect(manifests).toMatch(/replicas: 1\n/);
    expect(manifests).toContain('volumeClaimTemplates:');
    expect(manifests).toContain('maxUnavailable: 1');
  });

  it('refuses a production install without its backend URLs', async () => {
    await expect(template()).rejects.toThrow(/production mode needs secret\.QDRANT_URL/);
    // With an existing Secret, none is rendered and the pods read that one.
    const manifests = await template('--set', 'existingSecret=memory-engine-backends');
    expect(await validate(manifests)).not.toContain('Secret');
    expect(manifests).toMatch(/secretRef:\s+name: memory-engine-backends/);
  });
});
