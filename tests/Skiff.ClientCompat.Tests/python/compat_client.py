"""Drives a Skiff API server with the official Python client (Debian's python3-kubernetes).

Usage: python3 compat_client.py SCENARIO   (KUBECONFIG names the server)

Each scenario asserts what the client returns, through the client's typed models (whose constructors reject a
missing required field, so a zero field the server leaves out fails here). Exit status 0 means every assertion held;
the last line printed is "PASS <scenario>".
"""

import json
import os
import re
import sys
import time

import yaml
from kubernetes import client, config, utils, watch
from kubernetes.client.rest import ApiException

HERE = os.path.dirname(os.path.abspath(__file__))
EVERY_KIND = os.path.join(HERE, "..", "samples", "every-kind.yaml")


def api_client():
    config.load_kube_config(config_file=os.environ["KUBECONFIG"])
    return client.ApiClient()


def ensure_namespace(core, name):
    try:
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    except ApiException as e:
        if e.status != 409:
            raise


def config_map(name, labels=None, data=None):
    return client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=name, labels=labels or {}), data=data or {"k": "v"})


def scenario_crud(api):
    core = client.CoreV1Api(api)
    ns = "py-crud"
    ensure_namespace(core, ns)

    created = core.create_namespaced_config_map(ns, config_map("one", {"app": "crud"}))
    assert isinstance(created, client.V1ConfigMap), type(created)
    assert created.metadata.name == "one" and created.metadata.uid, created.metadata
    assert created.metadata.resource_version, created.metadata

    got = core.read_namespaced_config_map("one", ns)
    assert got.data == {"k": "v"}, got.data
    assert got.metadata.uid == created.metadata.uid

    core.create_namespaced_config_map(ns, config_map("two", {"app": "crud"}))
    core.create_namespaced_config_map(ns, config_map("other", {"app": "else"}))
    listed = core.list_namespaced_config_map(ns, label_selector="app=crud")
    assert isinstance(listed, client.V1ConfigMapList)
    assert sorted(i.metadata.name for i in listed.items) == ["one", "two"], listed.items
    assert listed.metadata.resource_version

    # A JSON patch (a list body: the client sends application/json-patch+json).
    patched = core.patch_namespaced_config_map(
        "one", ns, [{"op": "replace", "path": "/data/k", "value": "patched"},
                    {"op": "add", "path": "/metadata/labels/extra", "value": "yes"}])
    assert patched.data == {"k": "patched"}, patched.data
    assert patched.metadata.labels == {"app": "crud", "extra": "yes"}, patched.metadata.labels

    # A strategic merge patch through the client's own request machinery, read back as a typed model.
    merged = api.call_api(
        "/api/v1/namespaces/{namespace}/configmaps/{name}", "PATCH",
        path_params={"namespace": ns, "name": "one"},
        header_params={"Content-Type": "application/strategic-merge-patch+json", "Accept": "application/json"},
        body={"data": {"added": "by-merge"}}, response_type="V1ConfigMap", auth_settings=["BearerToken"],
        _return_http_data_only=True)
    assert merged.data == {"k": "patched", "added": "by-merge"}, merged.data

    # Errors: the client's ApiException carries upstream's Status bytes, ending with the encoder's newline.
    try:
        core.read_namespaced_config_map("missing", ns)
        raise AssertionError("reading a missing object succeeded")
    except ApiException as e:
        assert e.status == 404, e.status
        assert e.body.endswith('"code":404}\n'), repr(e.body)
        status = json.loads(e.body)
        assert status["reason"] == "NotFound" and status["details"]["name"] == "missing", status
    try:
        core.create_namespaced_config_map(ns, config_map("one"))
        raise AssertionError("creating a duplicate succeeded")
    except ApiException as e:
        assert e.status == 409 and e.body.endswith('"code":409}\n'), (e.status, repr(e.body))


def scenario_watch(api):
    core = client.CoreV1Api(api)
    ns = "py-watch"
    ensure_namespace(core, ns)
    rv = core.list_namespaced_config_map(ns, label_selector="app=watched").metadata.resource_version

    core.create_namespaced_config_map(ns, config_map("a", {"app": "watched"}))
    core.create_namespaced_config_map(ns, config_map("b", {"app": "other"}))
    core.create_namespaced_config_map(ns, config_map("c", {"app": "watched"}))
    core.patch_namespaced_config_map("a", ns, [{"op": "replace", "path": "/data/k", "value": "v2"}])
    core.delete_namespaced_config_map("c", ns)

    # The client sends watch=True and allowWatchBookmarks=True (Python's spelling); the server's timeout ends the
    # stream if fewer events than expected arrive.
    seen = []
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, ns, label_selector="app=watched",
                          resource_version=rv, allow_watch_bookmarks=True, timeout_seconds=30):
        if event["type"] == "BOOKMARK":
            continue
        obj = event["object"]
        assert isinstance(obj, client.V1ConfigMap), type(obj)
        seen.append((event["type"], obj.metadata.name, (obj.data or {}).get("k")))
        if len(seen) == 4:
            w.stop()
    expected = [("ADDED", "a", "v"), ("ADDED", "c", "v"), ("MODIFIED", "a", "v2"), ("DELETED", "c", "v")]
    assert seen == expected, seen


def scenario_delete_collection(api):
    core = client.CoreV1Api(api)
    ns = "py-deletecollection"
    ensure_namespace(core, ns)
    for i in range(3):
        core.create_namespaced_config_map(ns, config_map(f"gone-{i}", {"batch": "old"}))
    core.create_namespaced_config_map(ns, config_map("kept", {"batch": "new"}))

    result = core.delete_collection_namespaced_config_map(ns, label_selector="batch=old")
    assert isinstance(result, client.V1Status), type(result)
    left = core.list_namespaced_config_map(ns)
    assert [i.metadata.name for i in left.items] == ["kept"], [i.metadata.name for i in left.items]


def snake(kind):
    kind = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", kind)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", kind).lower()


def api_class_name(api_version):
    """The client's API class for a group version, named as create_from_yaml names it."""
    group, _, version = api_version.partition("/")
    if version == "":
        group, version = "core", group
    group = "".join(word.capitalize() for word in "".join(group.rsplit(".k8s.io", 1)).split("."))
    return f"{group}{version.capitalize()}Api"


def has_api(api_version):
    return hasattr(client, api_class_name(api_version))


def api_for(api, api_version):
    return getattr(client, api_class_name(api_version))(api)


def scenario_create_from_yaml(api):
    core = client.CoreV1Api(api)
    ensure_namespace(core, "compat")
    with open(EVERY_KIND) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]

    # The client (generated from Kubernetes 1.22's API) has no class for some newer group versions, nor methods for
    # some newer kinds of older ones; those are left out, and the list of them is pinned so that a kind silently
    # skipped shows up here.
    def known(d):
        if not has_api(d["apiVersion"]):
            return False
        kapi = getattr(client, api_class_name(d["apiVersion"]))
        kind = snake(d["kind"])
        return hasattr(kapi, f"create_{kind}") or hasattr(kapi, f"create_namespaced_{kind}")

    unknown = sorted({f'{d["apiVersion"]}/{d["kind"]}' for d in docs if not known(d)})
    assert unknown == [
        "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy",
        "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding",
        "autoscaling/v2/HorizontalPodAutoscaler",
        "flowcontrol.apiserver.k8s.io/v1/FlowSchema",
        "flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration",
    ], unknown
    docs = [d for d in docs if known(d)]

    # One multi-document create; every response is deserialized into its typed model.
    created = utils.create_from_yaml(api, yaml_objects=docs, namespace="compat")
    flat = [o for group in created for o in (group if isinstance(group, list) else [group])]
    assert len(flat) == len(docs), (len(flat), len(docs))
    assert all(hasattr(o, "openapi_types") for o in flat), [type(o).__name__ for o in flat]

    # Typed reads (object and, where served, its status) and typed lists of every kind, fresh.
    for doc in docs:
        kapi = api_for(api, doc["apiVersion"])
        kind = snake(doc["kind"])
        name = doc["metadata"]["name"]
        namespaced = hasattr(kapi, f"read_namespaced_{kind}")
        read = getattr(kapi, f"read_namespaced_{kind}" if namespaced else f"read_{kind}")
        obj = read(name, "compat") if namespaced else read(name)
        assert obj.metadata.name == name, (doc["kind"], obj.metadata.name)
        status_read = f"read_namespaced_{kind}_status" if namespaced else f"read_{kind}_status"
        if hasattr(kapi, status_read):
            st = getattr(kapi, status_read)(name, "compat") if namespaced else getattr(kapi, status_read)(name)
            assert st.metadata.name == name
        listed = getattr(kapi, f"list_namespaced_{kind}" if namespaced else f"list_{kind}")(
            *(["compat"] if namespaced else []))
        assert name in [i.metadata.name for i in listed.items], (doc["kind"], name)

    apps = client.AppsV1Api(api)
    ds = apps.read_namespaced_daemon_set_status("compat-ds", "compat")
    assert (ds.status.current_number_scheduled, ds.status.number_misscheduled,
            ds.status.desired_number_scheduled, ds.status.number_ready) == (0, 0, 0, 0), ds.status
    rc = core.read_namespaced_replication_controller_status("compat-rc", "compat")
    assert rc.status.replicas == 0, rc.status
    node = core.read_node("compat-node")
    assert node.spec is not None and node.spec.unschedulable is None, node.spec


SCENARIOS = {
    "crud": scenario_crud,
    "watch": scenario_watch,
    "delete_collection": scenario_delete_collection,
    "create_from_yaml": scenario_create_from_yaml,
}


def main():
    name = sys.argv[1]
    started = time.monotonic()
    SCENARIOS[name](api_client())
    print(f"PASS {name} ({time.monotonic() - started:.1f}s)")


if __name__ == "__main__":
    main()
