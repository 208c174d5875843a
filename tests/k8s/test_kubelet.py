"""A test kubelet: kubelet's side of the device plugin API v1beta1, over gRPC
on unix sockets, as kubelet's device manager drives it. It serves
Registration on kubelet.sock; for every Register it dials the plugin's
socket, asks GetDevicePluginOptions and keeps a ListAndWatch stream open,
recording each list with its arrival time. The scenario of
device_plugin_test.sh runs against a real `migsched k8s device-plugin`
following a real `migsched serve` and fake-NVML agent:

  registration of every resource, the device list per profile,
  GetPreferredAllocation, Allocate (env and CDI names, errors), a
  repartition through serve showing up in the same ListAndWatch stream
  (no plugin restart), the destroyed instances Unhealthy, and kubelet
  restarting (kubelet.sock re-created, the plugins' sockets removed, as
  kubelet does) followed by registration again.

It measures the time from each repartition's submission to the
ListAndWatch update that shows the new instance, and prints it.

With --pod-resources-socket it also serves kubelet's PodResources API v1
(List, GetAllocatableResources) there, listing the devices of the pods it
ran (run_pod: Allocate, then the pod is recorded, as kubelet's device manager
records it after Allocate returns). --scenario pod-holds runs
pod_holds_scenario instead of the one above.

The messages come from the plugin's .proto compiled with protoc at test time
(its wire format is pinned apart, in src/k8s/tests/wire_format_test.cc); the
method paths are written here by hand, as kubelet's are.
"""
import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from concurrent import futures

import grpc

pb = None  # the compiled deviceplugin_v1beta1_pb2, imported in main()
pr = None  # the compiled podresources_v1_pb2, imported when PodResources is served

A100_80GB_PROFILES = ["1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"]


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    fail("timed out after %g s waiting for %s" % (seconds, what))


class Plugin:
    """kubelet's endpoint for one registered resource."""

    def __init__(self, plugin_dir, request):
        self.request = request
        self.resource = request.resource_name
        self.channel = grpc.insecure_channel("unix:" + os.path.join(plugin_dir, request.endpoint))
        self.lists = []  # (monotonic time, [(id, health)])
        self.cond = threading.Condition()
        self.options = self.call("GetDevicePluginOptions", pb.Empty(), pb.DevicePluginOptions)
        self.stream = self.channel.unary_stream(
            "/v1beta1.DevicePlugin/ListAndWatch",
            request_serializer=pb.Empty.SerializeToString,
            response_deserializer=pb.ListAndWatchResponse.FromString)(pb.Empty())
        threading.Thread(target=self.watch, daemon=True).start()

    def call(self, method, request, response_type):
        return self.channel.unary_unary(
            "/v1beta1.DevicePlugin/" + method,
            request_serializer=type(request).SerializeToString,
            response_deserializer=response_type.FromString)(request, timeout=10)

    def watch(self):
        try:
            for response in self.stream:
                with self.cond:
                    self.lists.append((time.monotonic(), [(d.ID, d.health) for d in response.devices]))
                    self.cond.notify_all()
        except grpc.RpcError:
            pass  # the plugin or this kubelet went away

    def latest(self):
        with self.cond:
            return self.lists[-1][1] if self.lists else None

    def healthy(self):
        return [i for i, h in (self.latest() or []) if h == "Healthy"]

    def unhealthy(self):
        return [i for i, h in (self.latest() or []) if h == "Unhealthy"]

    def close(self):
        self.stream.cancel()
        self.channel.close()


class Kubelet:
    def __init__(self, plugin_dir, pod_resources_socket=None):
        self.plugin_dir = plugin_dir
        self.socket = os.path.join(plugin_dir, "kubelet.sock")
        self.pod_resources_socket = pod_resources_socket
        self.plugins = {}
        self.registrations = []
        self.pods = {}  # pod name -> [(resource, [device ids])]
        self.lock = threading.Lock()
        self.server = None
        self.pod_resources_server = None

    def run_pod(self, name, plugin, ids):
        """Allocate, then record the pod's devices for PodResources."""
        response = allocate(plugin, ids)
        with self.lock:
            self.pods.setdefault(name, []).append((plugin.resource, list(ids)))
        return response

    def remove_pod(self, name):
        with self.lock:
            del self.pods[name]

    def list_pod_resources(self, request, context):
        response = pr.ListPodResourcesResponse()
        with self.lock:
            for name, devices in sorted(self.pods.items()):
                pod = response.pod_resources.add(name=name, namespace="default")
                container = pod.containers.add(name="c")
                for resource, ids in devices:
                    container.devices.add(resource_name=resource, device_ids=ids)
        return response

    def allocatable_resources(self, request, context):
        response = pr.AllocatableResourcesResponse()
        with self.lock:
            plugins = list(self.plugins.values())
        for plugin in plugins:
            response.devices.add(resource_name=plugin.resource, device_ids=plugin.healthy())
        return response

    def serve_pod_resources(self):
        self.pod_resources_server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        handlers = {
            "List": grpc.unary_unary_rpc_method_handler(
                self.list_pod_resources, request_deserializer=pr.ListPodResourcesRequest.FromString,
                response_serializer=pr.ListPodResourcesResponse.SerializeToString),
            "GetAllocatableResources": grpc.unary_unary_rpc_method_handler(
                self.allocatable_resources, request_deserializer=pr.AllocatableResourcesRequest.FromString,
                response_serializer=pr.AllocatableResourcesResponse.SerializeToString),
        }
        self.pod_resources_server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("v1.PodResourcesLister", handlers),))
        if os.path.exists(self.pod_resources_socket):
            os.unlink(self.pod_resources_socket)
        self.pod_resources_server.add_insecure_port("unix:" + self.pod_resources_socket)
        self.pod_resources_server.start()

    def register(self, request, context):
        # kubelet answers, then dials the plugin: the plugin serves before it registers.
        with self.lock:
            self.registrations.append(request)
        threading.Thread(target=self.connect, args=(request,), daemon=True).start()
        return pb.Empty()

    def connect(self, request):
        plugin = Plugin(self.plugin_dir, request)
        with self.lock:
            old = self.plugins.get(request.resource_name)
            self.plugins[request.resource_name] = plugin
        if old:
            old.close()

    def start(self):
        # As kubelet's device manager does at start: a fresh kubelet.sock, and
        # no socket of an earlier plugin left in the directory.
        for name in os.listdir(self.plugin_dir):
            os.unlink(os.path.join(self.plugin_dir, name))
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        handler = grpc.unary_unary_rpc_method_handler(
            self.register,
            request_deserializer=pb.RegisterRequest.FromString,
            response_serializer=pb.Empty.SerializeToString)
        self.server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("v1beta1.Registration", {"Register": handler}),))
        self.server.add_insecure_port("unix:" + self.socket)
        self.server.start()
        if self.pod_resources_socket:
            self.serve_pod_resources()

    def stop(self):
        self.server.stop(grace=None).wait()
        if self.pod_resources_server:
            self.pod_resources_server.stop(grace=None).wait()
        with self.lock:
            for plugin in self.plugins.values():
                plugin.close()
            self.plugins = {}
            self.registrations = []

    def plugin(self, resource):
        with self.lock:
            return self.plugins.get(resource)


class Server:
    """The migsched serve API, for reservations and the fleet."""

    def __init__(self, url, token_file):
        self.url = url
        with open(token_file) as f:
            self.token = f.read().strip()

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


def expected_resources():
    return sorted(["nvidia.com/mig-" + p.replace("+", ".") for p in A100_80GB_PROFILES] + ["nvidia.com/gpu"])


def wait_registered(kubelet, seconds):
    want = expected_resources()

    def ready():
        with kubelet.lock:
            return sorted(kubelet.plugins) == want and all(p.lists for p in kubelet.plugins.values())
    wait_for(ready, seconds, "every resource to register and list its devices " + str(want))


def check_registrations(kubelet):
    for request in kubelet.registrations:
        check(request.version == "v1beta1", "Register version %r" % request.version)
        check(os.path.exists(os.path.join(kubelet.plugin_dir, request.endpoint)),
              "endpoint %s is not in the plugin directory" % request.endpoint)
        check(request.options.get_preferred_allocation_available and not request.options.pre_start_required,
              "Register options %s" % request.options)
    with kubelet.lock:
        plugins = list(kubelet.plugins.values())
    for plugin in plugins:
        check(plugin.options.get_preferred_allocation_available and not plugin.options.pre_start_required,
              "%s: GetDevicePluginOptions %s" % (plugin.resource, plugin.options))


def allocate(plugin, ids):
    request = pb.AllocateRequest()
    request.container_requests.add().devices_ids.extend(ids)
    return plugin.call("Allocate", request, pb.AllocateResponse)


def preferred(plugin, available, size, must=()):
    request = pb.PreferredAllocationRequest()
    container = request.container_requests.add()
    container.available_deviceIDs.extend(available)
    container.must_include_deviceIDs.extend(must)
    container.allocation_size = size
    return list(plugin.call("GetPreferredAllocation", request, pb.PreferredAllocationResponse)
                .container_responses[0].deviceIDs)


def expect_error(code, function, what):
    try:
        function()
    except grpc.RpcError as e:
        check(e.code() == code, "%s: %s (%s), not %s" % (what, e.code(), e.details(), code))
        return
    fail(what + ": no error")


def reserve(server, kubelet, name, profile):
    """A reservation that needs a repartition; returns (its MIG UUID, seconds
    from its submission to the ListAndWatch update that lists it)."""
    resource = "nvidia.com/mig-" + profile
    plugin = kubelet.plugin(resource)
    fleet = server.call("GET", "/v1/fleet")
    idle = [i for n in fleet["nodes"] for g in n["gpus"] for i in g["instances"]
            if i["profile"] == profile and i["job"] is None]
    check(not idle, "%s: an idle %s exists, so no repartition would be needed" % (name, profile))
    before = len(plugin.lists)
    submitted = time.monotonic()
    job = server.call("POST", "/v1/jobs", {"name": name, "tenant": "k8s", "profile": profile})

    def listed():
        j = server.call("GET", "/v1/jobs/%d" % job["id"])
        if j["state"] != "running":
            return None
        with plugin.cond:
            for at, devices in plugin.lists[before:]:
                if (j["mig_uuid"], "Healthy") in devices:
                    return j["mig_uuid"], at - submitted
        return None
    return wait_for(listed, 30, "%s's instance in %s's ListAndWatch" % (name, resource))


def fleet_instance(server, uuid):
    """(GPU index, instance) of the MIG UUID in serve's fleet, or None."""
    for node in server.call("GET", "/v1/fleet")["nodes"]:
        for gpu in node["gpus"]:
            for instance in gpu["instances"]:
                if instance["mig_uuid"] == uuid:
                    return gpu["index"], instance
    return None


def job_state(server, job):
    return server.call("GET", "/v1/jobs/%d" % job["id"])


def pod_holds_scenario(server, kubelet):
    """Pods hold 1g.10gb instances kubelet allocated without a migsched
    reservation, one on each of GPUs 0-2; the plugin learns it from
    PodResources and serve holds them. A 7g.80gb, which needs a whole GPU's
    slices, goes to GPU 3 (routed past the held ones); a second one waits
    (every other GPU has a pod's instance) until the pod on GPU 1 is gone,
    then repartitions GPU 1. The other pods' instances keep their UUIDs."""
    small = kubelet.plugin("nvidia.com/mig-1g.10gb")
    wait_for(lambda: len(small.healthy()) == 28, 10, "28 healthy 1g.10gb devices, not %s" % small.latest())
    by_gpu = {}
    for uuid in small.healthy():
        gpu, _ = fleet_instance(server, uuid)
        by_gpu.setdefault(gpu, uuid)
    pods = {"pod-%d" % gpu: by_gpu[gpu] for gpu in (0, 1, 2)}
    for name, uuid in sorted(pods.items()):
        env = kubelet.run_pod(name, small, [uuid]).container_responses[0].envs
        check(env["NVIDIA_VISIBLE_DEVICES"] == uuid, "%s's env %s" % (name, dict(env)))

    def held(uuid):
        instance = fleet_instance(server, uuid)[1]
        if instance["job"] is None:
            return None
        job = server.call("GET", "/v1/jobs/%d" % instance["job"])
        return job if job["tenant"] == "external" else None
    holds = {name: wait_for(lambda u=uuid: held(u), 10, "serve to hold %s's %s" % (name, uuid))
             for name, uuid in pods.items()}
    print("pods hold %s; serve holds them as jobs %s" % (
        sorted(pods.values()), sorted(j["id"] for j in holds.values())), flush=True)
    check(all(u in small.healthy() for u in pods.values()), "a pod's device is not listed healthy: %s" % small.latest())

    first = server.call("POST", "/v1/jobs", {"name": "big-1", "tenant": "batch", "profile": "7g.80gb"})
    first = wait_for(lambda: (lambda j: j if j["state"] == "running" else None)(job_state(server, first)), 30,
                     "the first 7g.80gb to run")
    check(first["gpu"] == 3, "the first 7g.80gb went to GPU %s, not the one GPU without a pod" % first["gpu"])
    second = server.call("POST", "/v1/jobs", {"name": "big-2", "tenant": "batch", "profile": "7g.80gb"})
    check(second["state"] == "queued", "the second 7g.80gb was not refused: %s" % second)
    for name, uuid in pods.items():
        check(fleet_instance(server, uuid) is not None, "%s's instance %s was destroyed" % (name, uuid))
    print("7g.80gb big-1 on GPU 3; big-2 %s: %s" % (second["state"], second["reason"]), flush=True)

    kubelet.remove_pod("pod-1")
    gone = time.monotonic()
    second = wait_for(lambda: (lambda j: j if j["state"] == "running" else None)(job_state(server, second)), 30,
                      "the second 7g.80gb to run once pod-1 is gone")
    check(second["gpu"] == 1, "big-2 went to GPU %s, not pod-1's GPU 1" % second["gpu"])
    check(job_state(server, holds["pod-1"])["state"] == "finished", "pod-1's hold was not released")
    check(fleet_instance(server, pods["pod-1"]) is None, "pod-1's instance outlived the repartition")
    for name in ("pod-0", "pod-2"):
        instance = fleet_instance(server, pods[name])
        check(instance is not None and instance[1]["job"] == holds[name]["id"],
              "%s's instance %s lost its hold: %s" % (name, pods[name], instance))
        check(pods[name] in small.healthy(), "%s's device is no longer healthy" % name)
    print("pod-1 gone -> big-2 running on GPU 1 in %.2f s; pod-0 and pod-2 keep their instances" % (
        time.monotonic() - gone), flush=True)


def main():
    global pb, pr
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin-dir", required=True)
    parser.add_argument("--proto-py", required=True, help="directory of the compiled deviceplugin_v1beta1_pb2")
    parser.add_argument("--server", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--repartitions", type=int, default=8)
    parser.add_argument("--pod-resources-socket", help="serve kubelet's PodResources API there")
    parser.add_argument("--scenario", choices=["plugin", "pod-holds"], default="plugin")
    args = parser.parse_args()
    sys.path.insert(0, args.proto_py)
    import deviceplugin_v1beta1_pb2
    pb = deviceplugin_v1beta1_pb2
    if args.pod_resources_socket:
        import podresources_v1_pb2
        pr = podresources_v1_pb2
    server = Server(args.server, args.token_file)

    kubelet = Kubelet(args.plugin_dir, args.pod_resources_socket)
    kubelet.start()
    wait_registered(kubelet, 30)
    check_registrations(kubelet)
    print("registered: " + ", ".join(sorted(kubelet.plugins)), flush=True)
    if args.scenario == "pod-holds":
        pod_holds_scenario(server, kubelet)
        kubelet.stop()
        print("PASS", flush=True)
        return

    # The device list per profile: 28 1g.10gb instances (GPUs 0-3) and GPU 4 whole.
    small = kubelet.plugin("nvidia.com/mig-1g.10gb")
    whole = kubelet.plugin("nvidia.com/gpu")
    wait_for(lambda: len(small.healthy()) == 28, 10, "28 healthy 1g.10gb devices, not %s" % small.latest())
    check(all(i.startswith("MIG-") for i in small.healthy()), "1g.10gb ids %s" % small.healthy())
    check(len(whole.healthy()) == 1 and whole.healthy()[0].startswith("GPU-"), "nvidia.com/gpu: %s" % whole.latest())
    check(kubelet.plugin("nvidia.com/mig-3g.40gb").latest() == [], "3g.40gb lists devices before any repartition")
    fleet = server.call("GET", "/v1/fleet")
    uuids = {i["mig_uuid"] for n in fleet["nodes"] for g in n["gpus"] for i in g["instances"]}
    check(set(small.healthy()) <= uuids, "1g.10gb ids are not the fleet's MIG UUIDs")
    print("devices: 1g.10gb %d, gpu %d" % (len(small.healthy()), len(whole.healthy())), flush=True)

    # GetPreferredAllocation: two of those offered; Allocate: the env.
    offered = small.healthy()
    chosen = preferred(small, offered, 2)
    check(len(chosen) == 2 and set(chosen) <= set(offered), "preferred %s" % chosen)
    check(preferred(small, offered, 2, must=[offered[-1]])[0] == offered[-1], "must_include not first")
    response = allocate(whole, whole.healthy())
    envs = response.container_responses[0].envs
    check(envs["NVIDIA_VISIBLE_DEVICES"] == whole.healthy()[0], "whole GPU env %s" % envs)
    expect_error(grpc.StatusCode.NOT_FOUND, lambda: allocate(small, ["MIG-no-such"]), "Allocate of an unknown id")

    # Repartitions through serve: each reservation destroys idle 1g.10gb and
    # creates its instance; the same ListAndWatch streams (no plugin restart)
    # list it, and the destroyed instances turn Unhealthy.
    streams = {r: kubelet.plugin(r).stream for r in expected_resources()}
    latencies = []
    big = None
    for i in range(args.repartitions):
        profile = "3g.40gb" if i % 2 == 0 else "2g.20gb"
        uuid, seconds = reserve(server, kubelet, "k8s-probe-%d" % i, profile)
        latencies.append(seconds)
        big = big or uuid
    check(all(kubelet.plugin(r).stream is s for r, s in streams.items()), "a ListAndWatch stream was restarted")
    wait_for(lambda: len(small.unhealthy()) > 0, 10, "destroyed 1g.10gb instances to turn Unhealthy")
    gone = small.unhealthy()
    check(not set(gone) & set(small.healthy()), "a device both healthy and unhealthy")
    expect_error(grpc.StatusCode.FAILED_PRECONDITION, lambda: allocate(small, [gone[0]]), "Allocate of a vanished id")
    three = kubelet.plugin("nvidia.com/mig-3g.40gb")
    response = allocate(three, [big]).container_responses[0]
    check(response.envs["NVIDIA_VISIBLE_DEVICES"] == big, "3g.40gb env %s" % dict(response.envs))
    check([d.name for d in response.cdi_devices] == ["nvidia.com/gpu=" + big],
          "3g.40gb CDI devices %s" % response.cdi_devices)
    print("after %d repartitions: 1g.10gb %d healthy, %d unhealthy; 3g.40gb %d; 2g.20gb %d" % (
        args.repartitions, len(small.healthy()), len(gone), len(three.healthy()),
        len(kubelet.plugin("nvidia.com/mig-2g.20gb").healthy())), flush=True)
    ms = sorted(s * 1000 for s in latencies)
    print("repartition submitted -> ListAndWatch update: median %.0f ms, min %.0f ms, max %.0f ms (%d samples)" % (
        statistics.median(ms), ms[0], ms[-1], len(ms)), flush=True)

    # kubelet restarts: a new kubelet.sock, the plugins' sockets gone.
    kubelet.stop()
    restarted = time.monotonic()
    kubelet.start()
    wait_registered(kubelet, 30)
    check_registrations(kubelet)
    check(big in kubelet.plugin("nvidia.com/mig-3g.40gb").healthy(), "3g.40gb after kubelet restart: %s" %
          kubelet.plugin("nvidia.com/mig-3g.40gb").latest())
    print("kubelet restart -> every resource registered again in %.2f s" % (time.monotonic() - restarted), flush=True)
    kubelet.stop()
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
