#!/usr/bin/env python3
"""A test Kubernetes API server: Pods and Nodes as the real one serves them.

No API server can run offline here, so the tests of `migsched k8s controller`
and `migsched k8s mig-manager` run against this one. It speaks the real
wire format for what they use: list (PodList/NodeList with
metadata.resourceVersion), watch (?watch=true: one JSON event per line in a
chunked response, ADDED/MODIFIED/DELETED, resumed from ?resourceVersion, an
ERROR event with a 410 Status once that version is compacted away, ended
after ?timeoutSeconds), fieldSelector (=, ==, != on metadata.name,
metadata.namespace, spec.nodeName, status.phase), get, create, delete and
merge patch (strategic-merge patches are applied as merge patches, which is
the same for labels and status fields), Status objects for errors, bearer
token auth and optional TLS.

One addition for tests: POST /testing/compact moves the resourceVersion on
(as writes to other resources do), forgets the event history and ends every
open watch, as a storage compaction followed by a dropped connection would: a
client that watches again from its last version gets 410 and must list.

usage: kube_api_server.py --port-file F [--token T] [--tls-cert C --tls-key K]
"""
import argparse
import json
import os
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Condition()
STATE = {
    "rv": 1,            # the last resourceVersion given out
    "oldest": 1,        # the oldest version a watch may resume from (events after it are kept)
    "epoch": 0,         # bumped by /testing/compact: open watches end
    "objects": {"pods": {}, "nodes": {}},  # key "<ns>/<name>" or "<name>" -> object
    "events": [],       # (rv, resource, type, object)
}
KINDS = {"pods": "Pod", "nodes": "Node"}


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def merge_patch(target, patch):
    """RFC 7386."""
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    out = dict(target)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def field(obj, path):
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return "" if obj is None else str(obj)


def selector_matches(obj, selector):
    for term in filter(None, (selector or "").split(",")):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if field(obj, key) == value:
                return False
        else:
            key, value = term.replace("==", "=").split("=", 1)
            if field(obj, key) != value:
                return False
    return True


def record(resource, kind, obj):
    """Under LOCK: give `obj` the next resourceVersion and log the event."""
    STATE["rv"] += 1
    obj["metadata"]["resourceVersion"] = str(STATE["rv"])
    STATE["events"].append((STATE["rv"], resource, kind, json.loads(json.dumps(obj))))
    LOCK.notify_all()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    token = ""

    def log_message(self, fmt, *args):  # quiet: the test prints what matters
        pass

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def route(self):
        """(resource, namespace, name, subresource, query) or None."""
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if parts[:2] != ["api", "v1"]:
            return None
        rest = parts[2:]
        namespace = ""
        if len(rest) >= 2 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest or rest[0] not in KINDS or len(rest) > 3:
            return None
        if rest[0] == "nodes" and namespace:
            return None
        name = rest[1] if len(rest) > 1 else ""
        sub = rest[2] if len(rest) > 2 else ""
        return rest[0], namespace, name, sub, query

    def authorised(self):
        if self.token and self.headers.get("Authorization") != "Bearer " + self.token:
            self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
            return False
        return True

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"null")
        except ValueError as e:
            self.send_json(400, status(400, "BadRequest", "the body is not JSON: %s" % e))
            return None

    @staticmethod
    def key(namespace, name):
        return namespace + "/" + name if namespace else name

    def do_GET(self):
        if not self.authorised():
            return
        route = self.route()
        if route is None:
            return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
        resource, namespace, name, _, query = route
        if query.get("watch") in ("true", "1"):
            return self.watch(resource, namespace, query)
        with LOCK:
            if name:
                obj = STATE["objects"][resource].get(self.key(namespace, name))
                if obj is None:
                    return self.send_json(404, status(404, "NotFound", '%s "%s" not found' % (resource, name)))
                return self.send_json(200, obj)
            items = [o for o in STATE["objects"][resource].values()
                     if (not namespace or o["metadata"].get("namespace") == namespace)
                     and selector_matches(o, query.get("fieldSelector"))]
            self.send_json(200, {"kind": KINDS[resource] + "List", "apiVersion": "v1",
                                 "metadata": {"resourceVersion": str(STATE["rv"])}, "items": items})

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, resource, namespace, query):
        deadline = time.monotonic() + int(query.get("timeoutSeconds", "1800"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def wanted(obj):
            return ((not namespace or obj["metadata"].get("namespace") == namespace)
                    and selector_matches(obj, query.get("fieldSelector")))

        with LOCK:
            epoch = STATE["epoch"]
            since = query.get("resourceVersion", "")
            pending = []
            if since in ("", "0"):  # the current state as ADDED events, then changes
                pending = [{"type": "ADDED", "object": o} for o in STATE["objects"][resource].values() if wanted(o)]
                since = STATE["rv"]
            elif int(since) < STATE["oldest"]:
                pending = [{"type": "ERROR", "object": status(410, "Expired", "too old resource version: %s (%d)"
                                                                 % (since, STATE["oldest"]))}]
                deadline = 0
            since = int(since)
        try:
            while True:
                for event in pending:
                    self.chunk(json.dumps(event).encode() + b"\n")
                pending = []
                with LOCK:
                    while True:
                        new = [e for e in STATE["events"] if e[0] > since and e[1] == resource]
                        left = deadline - time.monotonic()
                        if new or left <= 0 or STATE["epoch"] != epoch:
                            break
                        LOCK.wait(min(left, 1.0))
                    if not new:
                        break
                    since = new[-1][0]
                    pending = [{"type": e[2], "object": e[3]} for e in new if wanted(e[3])]
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def do_POST(self):
        if not self.authorised():
            return
        if urlparse(self.path).path == "/testing/compact":
            with LOCK:
                STATE["rv"] += 1  # writes to other resources moved the store on meanwhile
                STATE["oldest"] = STATE["rv"]
                STATE["events"] = []
                STATE["epoch"] += 1
                LOCK.notify_all()
            return self.send_json(200, {"oldest": STATE["oldest"]})
        route = self.route()
        if route is None or route[2]:
            return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
        resource, namespace, _, _, _ = route
        obj = self.body()
        if obj is None:
            return
        name = (obj.get("metadata") or {}).get("name", "")
        if not name:
            return self.send_json(422, status(422, "Invalid", "metadata.name: Required value"))
        with LOCK:
            key = self.key(namespace, name)
            if key in STATE["objects"][resource]:
                return self.send_json(409, status(409, "AlreadyExists", '%s "%s" already exists' % (resource, name)))
            obj.setdefault("apiVersion", "v1")
            obj["kind"] = KINDS[resource]
            meta = obj["metadata"]
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            if namespace:
                meta["namespace"] = namespace
            if resource == "pods":
                obj.setdefault("status", {}).setdefault("phase", "Pending")
            STATE["objects"][resource][key] = obj
            record(resource, "ADDED", obj)
            self.send_json(201, obj)

    def object_route(self):
        """The route of a request for one object, or None once the answer is sent."""
        if not self.authorised():
            return None
        route = self.route()
        if route is None or not route[2]:
            self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
            return None
        return route

    def do_PATCH(self):
        route = self.object_route()
        if route is None:
            return
        content_type = self.headers.get("Content-Type", "")
        if content_type not in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
            return self.send_json(415, status(415, "UnsupportedMediaType",
                                              "the body of the request was in an unknown format - accepted media "
                                              "types include: application/merge-patch+json, "
                                              "application/strategic-merge-patch+json"))
        resource, namespace, name, _, _ = route
        patch = self.body()
        if patch is None:
            return
        with LOCK:
            key = self.key(namespace, name)
            obj = STATE["objects"][resource].get(key)
            if obj is None:
                return self.send_json(404, status(404, "NotFound", '%s "%s" not found' % (resource, name)))
            patched = merge_patch(obj, patch)
            patched["metadata"]["uid"] = obj["metadata"]["uid"]
            STATE["objects"][resource][key] = patched
            record(resource, "MODIFIED", patched)
            self.send_json(200, patched)

    def do_DELETE(self):
        route = self.object_route()
        if route is None:
            return
        resource, namespace, name, _, _ = route
        with LOCK:
            obj = STATE["objects"][resource].pop(self.key(namespace, name), None)
            if obj is None:
                return self.send_json(404, status(404, "NotFound", '%s "%s" not found' % (resource, name)))
            record(resource, "DELETED", obj)
            self.send_json(200, obj)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    Handler.token = args.token
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
