// Drives a Skiff API server with the official JavaScript client (@kubernetes/client-node 1.x).
//
// Usage: node compat_client.mjs SCENARIO   (KUBECONFIG names the server)
// Every wait has a deadline (no sleeps); exit status 0 means every assertion held and the last line is
// "PASS <scenario>".
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
kc.loadFromFile(process.env.KUBECONFIG);
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);

const DEADLINE_MS = 20000;

/** Resolves with the first value pushed to the returned collector that satisfies `done`, or rejects at the deadline. */
function collector(what, done) {
  const items = [];
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; saw ${JSON.stringify(items)}`)), DEADLINE_MS);
  return {
    items,
    push(item) {
      items.push(item);
      if (done(items)) {
        clearTimeout(timer);
        resolve(items);
      }
    },
    fail(err) {
      clearTimeout(timer);
      reject(err);
    },
    promise,
  };
}

async function ensureNamespace(name) {
  try {
    await core.createNamespace({ body: { metadata: { name } } });
  } catch (e) {
    if (e.code !== 409) throw e;
  }
}

const configMap = (name, labels, data = { k: 'v' }) => ({ metadata: { name, labels }, data });

async function listWatch() {
  const namespace = 'js-watch';
  await ensureNamespace(namespace);
  const list = await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=watched' });
  assert.equal(list.kind, 'ConfigMapList');
  const resourceVersion = list.metadata.resourceVersion;
  assert.ok(resourceVersion, 'list has a resourceVersion');

  const events = collector('4 watch events', (items) => items.length >= 4);
  const watcher = new k8s.Watch(kc);
  const controller = await watcher.watch(
    `/api/v1/namespaces/${namespace}/configmaps`,
    { resourceVersion, labelSelector: 'app=watched', allowWatchBookmarks: true },
    (type, obj) => {
      if (type !== 'BOOKMARK') events.push([type, obj.metadata.name, obj.data?.k]);
    },
    (err) => { if (err && err.name !== 'AbortError') events.fail(err); });

  await core.createNamespacedConfigMap({ namespace, body: configMap('a', { app: 'watched' }) });
  await core.createNamespacedConfigMap({ namespace, body: configMap('b', { app: 'other' }) });
  await core.createNamespacedConfigMap({ namespace, body: configMap('c', { app: 'watched' }) });
  await core.patchNamespacedConfigMap({ name: 'a', namespace, body: [{ op: 'replace', path: '/data/k', value: 'v2' }] });
  await core.deleteNamespacedConfigMap({ name: 'c', namespace });

  const seen = await events.promise;
  controller.abort();
  assert.deepEqual(seen, [['ADDED', 'a', 'v'], ['ADDED', 'c', 'v'], ['MODIFIED', 'a', 'v2'], ['DELETED', 'c', 'v']]);
}

async function informer() {
  const namespace = 'js-informer';
  await ensureNamespace(namespace);
  await core.createNamespacedConfigMap({ namespace, body: configMap('before', { app: 'inf' }) });

  const adds = collector('adds of before and after', (items) => items.includes('before') && items.includes('after'));
  const updates = collector('update of after', (items) => items.includes('after=v2'));
  const deletes = collector('delete of before', (items) => items.includes('before'));
  const inf = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/configmaps`,
    () => core.listNamespacedConfigMap({ namespace }));
  inf.on('add', (obj) => adds.push(obj.metadata.name));
  inf.on('update', (obj) => updates.push(`${obj.metadata.name}=${obj.data?.k}`));
  inf.on('delete', (obj) => deletes.push(obj.metadata.name));
  inf.on('error', (err) => { adds.fail(err); updates.fail(err); deletes.fail(err); });
  await inf.start();

  await core.createNamespacedConfigMap({ namespace, body: configMap('after', { app: 'inf' }) });
  await adds.promise;
  await core.patchNamespacedConfigMap({ name: 'after', namespace, body: [{ op: 'replace', path: '/data/k', value: 'v2' }] });
  await updates.promise;
  await core.deleteNamespacedConfigMap({ name: 'before', namespace });
  await deletes.promise;

  const cached = inf.list(namespace).map((o) => o.metadata.name).sort();
  await inf.stop();
  assert.deepEqual(cached, ['after']);
}

async function patch() {
  const namespace = 'js-patch';
  await ensureNamespace(namespace);
  await core.createNamespacedConfigMap({ namespace, body: configMap('p', { app: 'patch' }) });

  // The generated default: application/json-patch+json.
  const json = await core.patchNamespacedConfigMap({
    name: 'p', namespace,
    body: [{ op: 'add', path: '/data/added', value: 'json' }, { op: 'replace', path: '/metadata/labels/app', value: 'patched' }],
  });
  assert.deepEqual(json.data, { k: 'v', added: 'json' });
  assert.equal(json.metadata.labels.app, 'patched');

  const merge = await core.patchNamespacedConfigMap(
    { name: 'p', namespace, body: { data: { k: null, merged: 'yes' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  assert.deepEqual(merge.data, { added: 'json', merged: 'yes' });

  // A strategic merge patch of a Deployment's container list (merged by name), read back through the typed model.
  const deployment = {
    metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } },
    },
  };
  const created = await apps.createNamespacedDeployment({ namespace, body: deployment });
  assert.equal(created.status.replicas, undefined);
  const smp = await apps.patchNamespacedDeployment(
    { name: 'd', namespace, body: { spec: { template: { spec: { containers: [{ name: 'b', image: 'busybox' }] } } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
  assert.deepEqual(smp.spec.template.spec.containers.map((c) => c.name).sort(), ['a', 'b']);

  // Cordon as kubectl does it: replace a member the Node does not have yet.
  await core.createNode({ body: { metadata: { name: 'js-node' } } });
  const node = await core.patchNode({ name: 'js-node', body: [{ op: 'replace', path: '/spec/unschedulable', value: true }] });
  assert.equal(node.spec.unschedulable, true);
}

const scenarios = { 'list-watch': listWatch, informer, patch };
const name = process.argv[2];
try {
  await scenarios[name]();
  console.log(`PASS ${name}`);
  process.exit(0);
} catch (e) {
  console.error(e?.body ?? '', e);
  process.exit(1);
}
