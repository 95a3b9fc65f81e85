// What operators rely on in the rendered chart (issue 7), checked on `helm template` output with no cluster:
// non-root read-only pods, probes, PDBs, one scaler per stage capped at the partition count, secrets only in
// Secrets (mounted as files), alert and dashboard queries that parse, and a compose file that loads.
// Tools come from helm/install-tools (cached); helm/lint adds kubernetes-validate --strict on every render.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHART = join(ROOT, 'helm/freshet');
const KUBE = '1.37.0';
const STAGES = ['router', 'embedder', 'writer'];

function toolPath(name) {
  return execFileSync(join(ROOT, 'helm/install-tools'), ['--print-path', name], { encoding: 'utf8' }).trim();
}
const HELM = toolPath('helm');

/** `helm template` → { ok, docs, stderr }; docs are the parsed manifests. */
function render(args) {
  const res = spawnSync(HELM, ['template', 'freshet', CHART, '--namespace', 'freshet', '--kube-version', KUBE, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) return { ok: false, docs: [], stderr: res.stderr };
  const docs = parseAllDocuments(res.stdout)
    .map((d) => d.toJS())
    .filter((d) => d !== null && typeof d === 'object');
  return { ok: true, docs, stderr: res.stderr };
}

function renderValues(file, extra = []) {
  const out = render(['-f', join(CHART, 'ci', file), ...extra]);
  assert.ok(out.ok, `helm template with ${file} failed:\n${out.stderr}`);
  return out.docs;
}

const ofKind = (docs, kind) => docs.filter((d) => d.kind === kind);
const component = (doc) => doc.metadata?.labels?.['app.kubernetes.io/component'];
const byStage = (docs, kind) => new Map(ofKind(docs, kind).map((d) => [component(d), d]));

const defaults = renderValues('default-values.yaml');
const allOn = renderValues('all-options-values.yaml');
const existingSecretHpa = renderValues('existing-secret-hpa-values.yaml');
const allOnValues = parseAllDocuments(readFileSync(join(CHART, 'ci/all-options-values.yaml'), 'utf8'))[0].toJS();

describe('helm/freshet rendered', () => {
  for (const [name, docs] of [
    ['default values', defaults],
    ['every option on', allOn],
  ]) {
    test(`${name}: every stage runs non-root on a read-only root filesystem with no capabilities`, () => {
      const deployments = byStage(docs, 'Deployment');
      assert.deepEqual([...deployments.keys()].sort(), [...STAGES].sort());
      for (const [stage, d] of deployments) {
        const pod = d.spec.template.spec;
        assert.equal(pod.securityContext.runAsNonRoot, true, `${stage} pod runAsNonRoot`);
        assert.ok(pod.securityContext.runAsUser > 0, `${stage} pod runs as a non-zero uid`);
        assert.equal(pod.automountServiceAccountToken, false, `${stage} mounts no API token`);
        for (const c of pod.containers) {
          const sc = c.securityContext;
          assert.equal(sc.readOnlyRootFilesystem, true, `${stage}/${c.name} readOnlyRootFilesystem`);
          assert.equal(sc.allowPrivilegeEscalation, false, `${stage}/${c.name} allowPrivilegeEscalation`);
          assert.equal(sc.runAsNonRoot, true, `${stage}/${c.name} runAsNonRoot`);
          assert.deepEqual(sc.capabilities.drop, ['ALL'], `${stage}/${c.name} drops every capability`);
          assert.ok(
            c.args.includes(`services/${stage}/dist/main.js`),
            `${stage} container runs its own stage: ${c.args.join(' ')}`,
          );
        }
      }
    });

    test(`${name}: probes hit /healthz (startup, liveness) and /readyz (readiness) on the http port`, () => {
      for (const [stage, d] of byStage(docs, 'Deployment')) {
        const c = d.spec.template.spec.containers[0];
        assert.equal(c.startupProbe.httpGet.path, '/healthz', `${stage} startup`);
        assert.equal(c.livenessProbe.httpGet.path, '/healthz', `${stage} liveness`);
        assert.equal(c.readinessProbe.httpGet.path, '/readyz', `${stage} readiness`);
        for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
          assert.equal(probe.httpGet.port, 'http');
        }
        assert.ok(c.ports.some((p) => p.name === 'http'), `${stage} names its http port`);
      }
    });

    test(`${name}: the grace period outlasts the stage's own drain deadline`, () => {
      for (const [stage, d] of byStage(docs, 'Deployment')) {
        const pod = d.spec.template.spec;
        const env = [...(pod.containers[0].env ?? [])];
        const cm = ofKind(docs, 'ConfigMap').find((m) => m.data?.FRESHET_SHUTDOWN_GRACE_MS !== undefined);
        const graceMs = Number(
          env.find((e) => e.name === 'FRESHET_SHUTDOWN_GRACE_MS')?.value ?? cm?.data.FRESHET_SHUTDOWN_GRACE_MS,
        );
        assert.ok(Number.isFinite(graceMs), `${stage} gets FRESHET_SHUTDOWN_GRACE_MS`);
        assert.ok(pod.terminationGracePeriodSeconds * 1000 > graceMs, `${stage} is never killed mid-drain`);
      }
    });

    test(`${name}: one PodDisruptionBudget per stage, selecting exactly that stage's pods`, () => {
      const deployments = byStage(docs, 'Deployment');
      const pdbs = byStage(docs, 'PodDisruptionBudget');
      assert.deepEqual([...pdbs.keys()].sort(), [...STAGES].sort());
      for (const [stage, pdb] of pdbs) {
        assert.deepEqual(pdb.spec.selector.matchLabels, deployments.get(stage).spec.selector.matchLabels);
        assert.ok(pdb.spec.maxUnavailable >= 1 || pdb.spec.minAvailable !== undefined);
      }
    });
  }

  test('default values: fixed replicas, no autoscaler, no Secret when no credential is set', () => {
    assert.equal(ofKind(defaults, 'ScaledObject').length, 0);
    assert.equal(ofKind(defaults, 'HorizontalPodAutoscaler').length, 0);
    for (const d of ofKind(defaults, 'Deployment')) assert.equal(d.spec.replicas, 1);
    assert.equal(ofKind(defaults, 'Secret').length, 0);
  });

  test('default values: every stage caps its V8 heap (NODE_OPTIONS), so it stays under 256 MB RSS', () => {
    for (const [stage, d] of byStage(defaults, 'Deployment')) {
      const env = d.spec.template.spec.containers[0].env ?? [];
      const nodeOptions = env.filter((e) => e.name === 'NODE_OPTIONS');
      assert.equal(nodeOptions.length, 1, stage);
      const semi = stage === 'embedder' ? 8 : 16;
      assert.match(nodeOptions[0].value, new RegExp(`--max-old-space-size=128 --max-semi-space-size=${semi}\\b`), stage);
    }
    // stages.<stage>.nodeOptions changes it; a NODE_OPTIONS in extraEnv replaces it (never two variables).
    const routerEnv = (docs) =>
      byStage(docs, 'Deployment')
        .get('router')
        .spec.template.spec.containers[0].env.filter((e) => e.name === 'NODE_OPTIONS')
        .map((e) => e.value);
    assert.deepEqual(routerEnv(allOn), ['--max-old-space-size=384']);
    const own = render([
      '--set-string',
      'stages.router.extraEnv[0].name=NODE_OPTIONS,stages.router.extraEnv[0].value=--max-old-space-size=300',
    ]);
    assert.ok(own.ok, own.stderr);
    assert.deepEqual(routerEnv(own.docs), ['--max-old-space-size=300']);
  });
  test('default values: the router and the writer let the old generation grow to twice its live size, the embedder on the local model favours memory (node flags)', () => {
    const args = (docs, stage) => byStage(docs, 'Deployment').get(stage).spec.template.spec.containers[0].args;
    for (const stage of ['router', 'writer']) {
      const a = args(defaults, stage);
      const flag = a.indexOf('--heap-growing-percent=100');
      assert.ok(flag > 0 && flag < a.indexOf(`services/${stage}/dist/main.js`), `${stage}: ${a.join(' ')}`);
    }
    // The default embedder runs the local model (no API key): V8 favours memory there, and only there.
    const embedder = ['node', '--enable-source-maps', 'services/embedder/dist/main.js'];
    const local = [...embedder.slice(0, 2), '--optimize-for-size', embedder[2]];
    assert.deepEqual(args(defaults, 'embedder'), local);
    const withKey = render(['--set', 'secrets.embeddingApiKey=sk-test']);
    assert.ok(withKey.ok, withKey.stderr);
    assert.deepEqual(args(withKey.docs, 'embedder'), embedder);
    const hash = render(['--set', 'embedding.provider=hash']);
    assert.ok(hash.ok, hash.stderr);
    assert.deepEqual(args(hash.docs, 'embedder'), embedder);
    const localWithKey = render(['--set', 'embedding.provider=local', '--set', 'secrets.embeddingApiKey=sk-test']);
    assert.ok(localWithKey.ok, localWithKey.stderr);
    assert.deepEqual(args(localWithKey.docs, 'embedder'), local);
    const off = render(['--set-json', 'stages.embedder.localModelNodeFlags=[]']);
    assert.ok(off.ok, off.stderr);
    assert.deepEqual(args(off.docs, 'embedder'), embedder);
    // stages.<stage>.nodeFlags replaces them; a value that is no flag is refused by the schema.
    const none = render(['--set-json', 'stages.router.nodeFlags=[]']);
    assert.ok(none.ok, none.stderr);
    assert.deepEqual(args(none.docs, 'router'), ['node', '--enable-source-maps', 'services/router/dist/main.js']);
    const bad = render(['--set-json', 'stages.writer.nodeFlags=["rm -rf /"]']);
    assert.equal(bad.ok, false);
    assert.match(bad.stderr, /nodeFlags/);
  });
  test('KEDA on: one ScaledObject per stage on its own consumer group and input topic, capped at the partitions', () => {
    const topics = { router: 'catalog.product-events', embedder: 'freshet.embed-requests', writer: 'freshet.index-writes' };
    const scalers = byStage(allOn, 'ScaledObject');
    const deployments = byStage(allOn, 'Deployment');
    assert.deepEqual([...scalers.keys()].sort(), [...STAGES].sort());
    for (const [stage, so] of scalers) {
      assert.equal(so.spec.scaleTargetRef.name, deployments.get(stage).metadata.name);
      assert.ok(so.spec.maxReplicaCount <= allOnValues.topics.partitions, `${stage} replicas ≤ partitions`);
      const trigger = so.spec.triggers.find((t) => t.type === 'kafka');
      assert.ok(trigger, `${stage} scales on Kafka lag`);
      assert.equal(trigger.metadata.consumerGroup, allOnValues.stages[stage].groupId);
      assert.equal(trigger.metadata.topic, topics[stage]);
      // The autoscaler owns the replica count: a fixed one would fight it on every upgrade.
      assert.equal(deployments.get(stage).spec.replicas, undefined);
    }
    assert.equal(ofKind(allOn, 'HorizontalPodAutoscaler').length, 0);
  });

  test('HPA on: a HorizontalPodAutoscaler for each stage that enables one, capped at the partitions', () => {
    const values = parseAllDocuments(readFileSync(join(CHART, 'ci/existing-secret-hpa-values.yaml'), 'utf8'))[0].toJS();
    const enabled = STAGES.filter((s) => values.stages[s]?.hpa?.enabled === true);
    assert.ok(enabled.length >= 2, 'the ci values enable HPA on at least two stages');
    const hpas = byStage(existingSecretHpa, 'HorizontalPodAutoscaler');
    const deployments = byStage(existingSecretHpa, 'Deployment');
    assert.deepEqual([...hpas.keys()].sort(), [...enabled].sort());
    for (const [stage, hpa] of hpas) {
      assert.ok(hpa.spec.maxReplicas <= 6, `${stage} maxReplicas ≤ partitions`);
      assert.equal(hpa.spec.scaleTargetRef.name, deployments.get(stage).metadata.name);
      assert.equal(deployments.get(stage).spec.replicas, undefined, `${stage} replicas owned by the HPA`);
    }
    for (const stage of STAGES.filter((s) => !enabled.includes(s))) {
      assert.equal(typeof deployments.get(stage).spec.replicas, 'number', `${stage} keeps fixed replicas`);
    }
  });

  test('a scaler allowed more replicas than partitions is refused at render time', () => {
    const out = render([
      '--set',
      'topics.partitions=4',
      '--set',
      'stages.writer.keda.enabled=true',
      '--set',
      'stages.writer.keda.maxReplicaCount=8',
    ]);
    assert.equal(out.ok, false, 'rendering must fail');
    assert.match(out.stderr, /partition/i);
  });

  test('credentials live only in a Secret, mounted as files; never in a ConfigMap or a plain env value', () => {
    const secretValues = Object.values(allOnValues.secrets).filter((v) => typeof v === 'string' && v !== '');
    assert.ok(secretValues.length >= 4);
    const secrets = ofKind(allOn, 'Secret');
    const inSecrets = JSON.stringify(secrets.map((s) => ({ ...s.stringData, ...s.data })));
    for (const value of secretValues) {
      const b64 = Buffer.from(value).toString('base64');
      assert.ok(inSecrets.includes(value) || inSecrets.includes(b64), `${value} is in a Secret`);
      for (const doc of allOn.filter((d) => d.kind !== 'Secret')) {
        const text = JSON.stringify(doc);
        assert.ok(!text.includes(value) && !text.includes(b64), `${value} leaks into ${doc.kind} ${doc.metadata.name}`);
      }
    }
    for (const d of ofKind(allOn, 'Deployment')) {
      const c = d.spec.template.spec.containers[0];
      const names = (c.env ?? []).map((e) => e.name);
      for (const secret of ['FRESHET_EMBEDDING_API_KEY', 'FRESHET_KAFKA_SASL_PASSWORD', 'FRESHET_REGISTRY_PASSWORD', 'FRESHET_MILVUS_TOKEN']) {
        assert.ok(names.includes(`${secret}_FILE`), `${d.metadata.name} reads ${secret} from a file`);
        assert.ok(!names.includes(secret), `${d.metadata.name} has no ${secret} env value`);
      }
      assert.ok(
        c.volumeMounts.some((m) => m.mountPath === '/etc/freshet/secrets' && m.readOnly === true),
        'secrets are mounted read-only',
      );
    }
  });

  test('SASL_SSL: every stage and the provision job read the CA from the mounted Secret and the SCRAM password from a file', () => {
    const config = ofKind(allOn, 'ConfigMap').find((c) => c.data?.FRESHET_KAFKA_BROKERS);
    assert.ok(config, 'a ConfigMap with the Kafka settings');
    const { caSecret } = allOnValues.kafka.tls;
    const caFile = `/etc/freshet/kafka-ca/${caSecret.key}`;
    assert.equal(config.data.FRESHET_KAFKA_SSL, 'true');
    assert.equal(config.data.FRESHET_KAFKA_SSL_CA_FILE, caFile);
    assert.equal(config.data.FRESHET_KAFKA_SASL_MECHANISM, 'scram-sha-512');
    assert.equal(config.data.FRESHET_KAFKA_SASL_USERNAME, allOnValues.kafka.sasl.username);
    const pods = [...ofKind(allOn, 'Deployment'), ...ofKind(allOn, 'Job')].map((d) => [d.metadata.name, d.spec.template.spec]);
    assert.equal(pods.length, STAGES.length + 1, 'three stages and the provision job');
    for (const [name, pod] of pods) {
      const volume = pod.volumes.find((v) => v.secret?.secretName === caSecret.name);
      assert.ok(volume, `${name} has the CA Secret as a volume`);
      assert.deepEqual(volume.secret.items, [{ key: caSecret.key, path: caSecret.key }]);
      const c = pod.containers[0];
      const mount = c.volumeMounts.find((m) => m.name === volume.name);
      assert.equal(`${mount?.mountPath}/${caSecret.key}`, caFile, `${name} mounts the CA where FRESHET_KAFKA_SSL_CA_FILE points`);
      assert.equal(mount.readOnly, true);
      assert.ok((c.env ?? []).some((e) => e.name === 'FRESHET_KAFKA_SASL_PASSWORD_FILE'), `${name} reads the password from a file`);
    }
    // Managed Kafka with a public CA (Confluent Cloud, MSK, Aiven with a public cert): no CA Secret, the system CAs.
    const publicCa = renderValues('all-options-values.yaml', ['--set', 'kafka.tls.caSecret.name=']);
    const publicConfig = ofKind(publicCa, 'ConfigMap').find((c) => c.data?.FRESHET_KAFKA_BROKERS);
    assert.equal(publicConfig.data.FRESHET_KAFKA_SSL, 'true');
    assert.equal(publicConfig.data.FRESHET_KAFKA_SSL_CA_FILE, undefined);
    for (const d of ofKind(publicCa, 'Deployment')) {
      assert.ok(!d.spec.template.spec.volumes.some((v) => v.secret?.secretName === caSecret.name));
    }
  });

  test('existingSecret: the pods mount the Secret the operator manages and the chart creates none for them', () => {
    const values = parseAllDocuments(readFileSync(join(CHART, 'ci/existing-secret-hpa-values.yaml'), 'utf8'))[0].toJS();
    const name = values.secrets.existingSecret;
    assert.ok(name);
    for (const d of ofKind(existingSecretHpa, 'Deployment')) {
      const volumes = d.spec.template.spec.volumes.filter((v) => v.secret);
      assert.ok(volumes.some((v) => v.secret.secretName === name), `${d.metadata.name} mounts ${name}`);
    }
    assert.ok(!ofKind(existingSecretHpa, 'Secret').some((s) => s.metadata.name === name));
  });

  test('values.schema.json refuses a wrong type and an unknown key', () => {
    const wrongType = render(['--set-string', 'topics.partitions=six']);
    assert.equal(wrongType.ok, false);
    assert.match(wrongType.stderr, /topics\/partitions/);
    const unknownKey = render(['--set', 'stages.router.replica=2']);
    assert.equal(unknownKey.ok, false);
    assert.match(unknownKey.stderr, /additional properties 'replica' not allowed/);
  });

  test('every alert and dashboard query is valid PromQL', () => {
    const rules = ofKind(allOn, 'PrometheusRule')[0];
    assert.ok(rules, 'PrometheusRule rendered');
    const exprs = rules.spec.groups.flatMap((g) => g.rules.map((r) => r.expr));
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/freshet-dashboard.json'), 'utf8'));
    const panelExprs = [];
    const walk = (node) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        if (typeof node.expr === 'string') panelExprs.push(node.expr);
        Object.values(node).forEach(walk);
      }
    };
    walk(dashboard.panels);
    assert.ok(exprs.length >= 4 && panelExprs.length >= 10, `${exprs.length} rules, ${panelExprs.length} panel queries`);
    // Grafana variables are not PromQL: substitute plausible values before parsing.
    const all = [...exprs, ...panelExprs].map((e) =>
      e.replace(/\$\{?(__rate_interval|__interval|__range)\}?/g, '5m').replace(/\$\{?(\w+)\}?/g, 'x'),
    );
    const python = toolPath('python');
    const script =
      'import json,sys,promql_parser\nbad=[]\nfor e in json.load(sys.stdin):\n  try: promql_parser.parse(e)\n  except Exception as x: bad.append([e,str(x)])\nprint(json.dumps(bad))';
    const out = execFileSync(python, ['-c', script], { input: JSON.stringify(all), encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), []);
    // A query that cannot parse must be caught, or the check above proves nothing.
    const broken = execFileSync(python, ['-c', script], { input: JSON.stringify(['sum(rate(x[5m])']), encoding: 'utf8' });
    assert.equal(JSON.parse(broken).length, 1);
  });
});

describe('deploy/compose.yaml', () => {
  const check = toolPath('compose-check');
  const project = JSON.parse(execFileSync(check, [join(ROOT, 'deploy/compose.yaml')], { encoding: 'utf8' }));

  test('holds Kafka, a registry, Milvus, the provision job and the three stages', () => {
    for (const s of ['kafka', 'registry', 'milvus', 'provision', ...STAGES]) assert.ok(project.services[s], s);
    assert.match(project.services.kafka.image, /^apache\/kafka:3\.9\./);
  });

  test('stages start after provisioning and a healthy Milvus, run non-root and read-only, and drain on stop', () => {
    for (const stage of STAGES) {
      const s = project.services[stage];
      assert.equal(s.depends_on.provision.condition, 'service_completed_successfully');
      assert.equal(s.depends_on.milvus.condition, 'service_healthy');
      assert.equal(s.read_only, true);
      assert.notEqual(s.user.split(':')[0], '0');
      assert.ok(s.healthcheck?.test?.join(' ').includes('/readyz'), `${stage} health checks /readyz`);
      assert.ok(s.command.join(' ').includes(`services/${stage}/dist/main.js`));
    }
  });

  test('the embedder favours memory (--optimize-for-size) on the local model only, its provider resolved as its config does', () => {
    const [shell, flag, script] = project.services.embedder.command;
    assert.deepEqual([shell, flag], ['sh', '-c']);
    // A `node` on PATH that prints its arguments stands in for the image's.
    const dir = mkdtempSync(join(tmpdir(), 'freshet-compose-node-'));
    writeFileSync(join(dir, 'node'), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
    const run = (env) =>
      execFileSync('sh', ['-c', script], { env: { PATH: `${dir}:/usr/bin:/bin`, ...env }, encoding: 'utf8' }).trim();
    try {
      const local = '--enable-source-maps --optimize-for-size services/embedder/dist/main.js';
      const api = '--enable-source-maps services/embedder/dist/main.js';
      assert.equal(run({}), local);
      assert.equal(run({ FRESHET_EMBEDDING_API_KEY: '' }), local);
      assert.equal(run({ FRESHET_EMBEDDING_API_KEY: 'sk-test' }), api);
      assert.equal(run({ FRESHET_EMBEDDING_PROVIDER: 'hash' }), api);
      assert.equal(run({ FRESHET_EMBEDDING_PROVIDER: 'local', FRESHET_EMBEDDING_API_KEY: 'sk-test' }), local);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a compose file with an unknown key is refused by the same loader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'freshet-compose-'));
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, 'services:\n  a:\n    image: x\n    bogus: 1\n');
    const res = spawnSync(check, [file], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /bogus/);
  });
});

test('helm/lint passes: helm lint, kubernetes-validate --strict on every ci values file, schema rejections, the Dockerfile', () => {
  const res = spawnSync(join(ROOT, 'helm/lint'), [], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
  assert.match(res.stdout, /all checks passed/);
  // The image is never built here (no Docker engine): its Dockerfile and build context are checked instead,
  // and the checker refuses each kind of broken Dockerfile it is shown.
  assert.match(res.stdout, /dockerfile-check: Dockerfile: 3 stages, \d+ context sources present and not ignored/);
  assert.equal(res.stdout.match(/dockerfile-check refuses /g)?.length, 4, res.stdout);
});
