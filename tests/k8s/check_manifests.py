#!/usr/bin/env python3
"""Checks Kubernetes manifests offline: every YAML document parses and has
the fields the API server requires for its kind, and the references between
documents resolve.

kubectl cannot do this here: `kubectl apply --dry-run=client` (and
`create --dry-run=client --validate=false`) still asks a server for its API
discovery and OpenAPI schema. So this script checks what the API's schemas
make required for the kinds deploy/kubernetes uses (apiVersion/kind pairs,
names, namespaces, selectors matching the pod template's labels, containers
with a name and image, volume mounts naming a volume, env entries, ports,
RBAC rules and bindings, Service selectors that select some workload, and
a mig-parted ConfigMap whose config parses).

usage: check_manifests.py FILE_OR_DIR...   (exit 0 when all are valid; else
each problem as "<file>: document <n> (<Kind>/<name>): <field>: <problem>")
"""
import os
import re
import sys

import yaml

NAMESPACED = {"ConfigMap", "Secret", "Service", "ServiceAccount", "PersistentVolumeClaim", "Deployment",
              "DaemonSet", "Role", "RoleBinding"}
API_VERSIONS = {
    "Namespace": "v1", "ConfigMap": "v1", "Secret": "v1", "Service": "v1", "ServiceAccount": "v1",
    "PersistentVolumeClaim": "v1", "Deployment": "apps/v1", "DaemonSet": "apps/v1",
    "ClusterRole": "rbac.authorization.k8s.io/v1", "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
    "Role": "rbac.authorization.k8s.io/v1", "RoleBinding": "rbac.authorization.k8s.io/v1",
}
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
VOLUME_SOURCES = {"configMap", "secret", "hostPath", "emptyDir", "persistentVolumeClaim", "projected", "downwardAPI"}


class Checker:
    def __init__(self):
        self.problems = []
        self.where = ""

    def fail(self, field, message):
        self.problems.append("%s: %s: %s" % (self.where, field, message))

    def require(self, obj, path, kind=None, at=""):
        """The value at dotted `path`, reporting it (as `at`.`path`) when missing or of the wrong type."""
        shown = at + "." + path if at else path
        value = obj
        for part in path.split("."):
            if not isinstance(value, dict) or part not in value:
                self.fail(shown, "required")
                return None
            value = value[part]
        if kind is not None and not isinstance(value, kind):
            self.fail(shown, "must be a %s" % kind.__name__)
            return None
        return value

    def name(self, obj, path, pattern=DNS_SUBDOMAIN, at=""):
        value = self.require(obj, path, str, at)
        if value is not None and not pattern.match(value):
            self.fail(at + "." + path if at else path, "'%s' is not a valid name" % value)
        return value

    def pod_spec(self, spec, path, service_accounts):
        containers = self.require(spec, "containers", list, path)
        if containers is None:
            return
        if not containers:
            self.fail(path + ".containers", "must not be empty")
        volumes = {}
        for i, volume in enumerate(spec.get("volumes") or []):
            vpath = "%s.volumes[%d]" % (path, i)
            name = self.name(volume, "name", DNS_LABEL, vpath)
            if name in volumes:
                self.fail(vpath + ".name", "'%s' repeated" % name)
            volumes[name] = volume
            if len(VOLUME_SOURCES & set(volume)) != 1:
                self.fail(vpath, "needs exactly one source (%s)" % ", ".join(sorted(VOLUME_SOURCES)))
            if "secret" in volume or "configMap" in volume:
                mode = (volume.get("secret") or volume.get("configMap") or {}).get("defaultMode", 0o644)
                if not isinstance(mode, int) or not 0 <= mode <= 0o777:
                    self.fail(vpath + ".defaultMode", "must be a file mode from 0 to 0777")
        names = set()
        for i, container in enumerate(containers):
            cpath = "%s.containers[%d]" % (path, i)
            name = self.name(container, "name", DNS_LABEL, cpath)
            if name in names:
                self.fail(cpath + ".name", "'%s' repeated" % name)
            names.add(name)
            self.require(container, "image", str, cpath)
            for key in ("command", "args"):
                if key in container and not all(isinstance(a, str) for a in container[key] or [None]):
                    self.fail(cpath + "." + key, "must be a list of strings")
            for j, mount in enumerate(container.get("volumeMounts") or []):
                mpath = "%s.volumeMounts[%d]" % (cpath, j)
                mname = self.require(mount, "name", str, mpath)
                self.require(mount, "mountPath", str, mpath)
                if mname is not None and mname not in volumes:
                    self.fail("%s.volumeMounts[%d].name" % (cpath, j), "no volume named '%s'" % mname)
            for j, env in enumerate(container.get("env") or []):
                self.require(env, "name", str, "%s.env[%d]" % (cpath, j))
                if ("value" in env) == ("valueFrom" in env):
                    self.fail("%s.env[%d]" % (cpath, j), "needs exactly one of value and valueFrom")
                elif "value" in env and not isinstance(env["value"], str):
                    self.fail("%s.env[%d].value" % (cpath, j), "must be a string (quote it)")
            for j, port in enumerate(container.get("ports") or []):
                number = self.require(port, "containerPort", int, "%s.ports[%d]" % (cpath, j))
                if number is not None and not 0 < number < 65536:
                    self.fail("%s.ports[%d].containerPort" % (cpath, j), "must be from 1 to 65535")
        account = spec.get("serviceAccountName")
        if account is not None and account not in service_accounts:
            self.fail(path + ".serviceAccountName", "no ServiceAccount '%s' in these manifests" % account)

    def document(self, doc, service_accounts, workloads):
        kind = self.require(doc, "kind", str)
        version = self.require(doc, "apiVersion", str)
        if kind is None or version is None:
            return
        if kind not in API_VERSIONS:
            return self.fail("kind", "'%s' is not a kind this check knows" % kind)
        if version != API_VERSIONS[kind]:
            self.fail("apiVersion", "%s is served as %s, not %s" % (kind, API_VERSIONS[kind], version))
        self.name(doc, "metadata.name")
        namespace = (doc.get("metadata") or {}).get("namespace")
        if kind in NAMESPACED and namespace is None:
            self.fail("metadata.namespace", "required for a %s (else it lands in whatever namespace is current)" % kind)
        if kind not in NAMESPACED and namespace is not None:
            self.fail("metadata.namespace", "a %s is cluster-scoped" % kind)
        if kind in ("Deployment", "DaemonSet"):
            match = self.require(doc, "spec.selector.matchLabels", dict)
            labels = self.require(doc, "spec.template.metadata.labels", dict)
            if match is not None and labels is not None and any(labels.get(k) != v for k, v in match.items()):
                self.fail("spec.selector.matchLabels", "does not select the pod template's labels")
            spec = self.require(doc, "spec.template.spec", dict)
            if spec is not None:
                self.pod_spec(spec, "spec.template.spec", service_accounts)
        elif kind == "Service":
            selector = self.require(doc, "spec.selector", dict)
            if selector is not None and not any(all(l.get(k) == v for k, v in selector.items()) for l in workloads):
                self.fail("spec.selector", "selects no pod template in these manifests")
            for j, port in enumerate(self.require(doc, "spec.ports", list) or []):
                self.require(port, "port", int, "spec.ports[%d]" % j)
        elif kind in ("ClusterRole", "Role"):
            for j, rule in enumerate(self.require(doc, "rules", list) or []):
                for key in ("apiGroups", "resources", "verbs"):
                    if not isinstance(rule.get(key), list) or not rule[key]:
                        self.fail("rules[%d].%s" % (j, key), "required, a non-empty list")
        elif kind in ("ClusterRoleBinding", "RoleBinding"):
            for key in ("roleRef.apiGroup", "roleRef.kind", "roleRef.name"):
                self.require(doc, key, str)
            for j, subject in enumerate(self.require(doc, "subjects", list) or []):
                if subject.get("kind") == "ServiceAccount":
                    if subject.get("namespace") is None:
                        self.fail("subjects[%d].namespace" % j, "required for a ServiceAccount")
                    if subject.get("name") not in service_accounts:
                        self.fail("subjects[%d].name" % j, "no ServiceAccount '%s'" % subject.get("name"))
        elif kind == "ConfigMap":
            data = doc.get("data") or {}
            for key, value in data.items():
                if not isinstance(value, str):
                    self.fail("data." + key, "must be a string")
                elif key.endswith(".yaml"):
                    try:
                        config = yaml.safe_load(value)
                    except yaml.YAMLError as e:
                        self.fail("data." + key, "not YAML: %s" % e)
                        continue
                    if isinstance(config, dict) and "mig-configs" in config and config.get("version") != "v1":
                        self.fail("data." + key + ".version", "a mig-parted config must be version v1")
        elif kind == "PersistentVolumeClaim":
            self.require(doc, "spec.accessModes", list)
            self.require(doc, "spec.resources.requests.storage", str)


def main(paths):
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith((".yaml", ".yml")))
        else:
            files.append(path)
    if not files:
        print("no manifests in %s" % " ".join(paths))
        return 2
    checker = Checker()
    documents = []
    for path in files:
        with open(path) as f:
            try:
                docs = list(yaml.safe_load_all(f))
            except yaml.YAMLError as e:
                checker.problems.append("%s: %s" % (path, e))
                continue
        for n, doc in enumerate(docs, 1):
            if doc is None:
                continue
            if not isinstance(doc, dict):
                checker.problems.append("%s: document %d: not a map" % (path, n))
                continue
            documents.append((path, n, doc))
    service_accounts = {d["metadata"]["name"] for _, _, d in documents
                        if d.get("kind") == "ServiceAccount" and isinstance(d.get("metadata"), dict)}
    workloads = [((d.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {}
                 for _, _, d in documents if d.get("kind") in ("Deployment", "DaemonSet")]
    for path, n, doc in documents:
        checker.where = "%s: document %d (%s/%s)" % (path, n, doc.get("kind"), (doc.get("metadata") or {}).get("name"))
        checker.document(doc, service_accounts, workloads)
    for problem in checker.problems:
        print(problem)
    print("%d documents in %d files: %s" % (len(documents), len(files),
                                            "valid" if not checker.problems else "%d problems" % len(checker.problems)))
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
