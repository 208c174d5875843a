"""The whole Kubernetes loop, kubelet's side: run by whole_loop_test.sh
against a real `migsched serve`, a fake-NVML agent for node gpu-node-1 (one
A100-80GB cut all-1g.10gb), the real `migsched k8s controller` watching the
test API server, and the real `migsched k8s device-plugin` registered with
this test kubelet (test_kubelet.py's Kubelet):

  1. pod `small` asks for nvidia.com/mig-1g.10gb; kube-scheduler finds it
     unschedulable (set by the test); the controller reserves an idle
     1g.10gb; the test binds the pod and, as kubelet, Allocates the device
     the plugin prefers: the reserved one. The pod runs.
  2. pod `big` asks for nvidia.com/mig-3g.40gb, which the node's layout
     lacks: the controller reserves it, the core repartitions idle 1g
     slices, the agent cuts the 3g.40gb on the fake NVML, the plugin's
     ListAndWatch lists it, and kubelet's GetPreferredAllocation and
     Allocate give the container NVIDIA_VISIBLE_DEVICES = the new MIG UUID.
  3. `small`'s instance is untouched: same UUID, still healthy and listed.

Prints the time from creating the pending pod to its ListAndWatch update
and to its Allocate.
"""
import argparse
import json
import ssl
import sys
import time
import urllib.request

import test_kubelet as tk


class KubeApi:
    def __init__(self, url, token, cafile):
        self.url, self.token = url, token
        self.context = ssl.create_default_context(cafile=cafile)

    def call(self, method, path, body=None, content_type="application/json"):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": "Bearer " + self.token, "Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=10, context=self.context) as response:
            return json.loads(response.read())


def pending_pod(name, resource):
    return {"metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "cuda", "resources": {"limits": {resource: "1"}}}]},
            "status": {"phase": "Pending", "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                 "message": "0/1 nodes are available: 1 Insufficient " + resource}]}}


def reservation(server, uid, profile):
    """The running reservation of pod `uid`, or None."""
    for job in server.call("GET", "/v1/jobs?state=running")["jobs"]:
        if job["name"] == "k8s/%s/%s/1" % (uid, profile.replace("+", ".")):
            return job
    return None


def bind_and_run(kube, name):
    kube.call("PATCH", "/api/v1/namespaces/default/pods/" + name,
              {"spec": {"nodeName": "gpu-node-1"},
               "status": {"phase": "Running", "conditions": [{"type": "PodScheduled", "status": "True"}]}},
              "application/merge-patch+json")


def kubelet_allocates(plugin, healthy):
    """As kubelet's device manager: the plugin's preferred device of those
    healthy, then Allocate; (device id, the container's env)."""
    chosen = tk.preferred(plugin, healthy, 1)
    tk.check(len(chosen) == 1, "%s: preferred %s of %s" % (plugin.resource, chosen, healthy))
    response = tk.allocate(plugin, chosen)
    return chosen[0], dict(response.container_responses[0].envs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin-dir", required=True)
    parser.add_argument("--proto-py", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--kube", required=True)
    parser.add_argument("--kube-token", required=True)
    parser.add_argument("--kube-ca", required=True)
    args = parser.parse_args()
    sys.path.insert(0, args.proto_py)
    import deviceplugin_v1beta1_pb2
    tk.pb = deviceplugin_v1beta1_pb2
    server = tk.Server(args.server, args.token_file)
    kube = KubeApi(args.kube, args.kube_token, args.kube_ca)

    kubelet = tk.Kubelet(args.plugin_dir)
    kubelet.start()
    # The node's one GPU is in MIG mode: every A100-80GB MIG profile, no nvidia.com/gpu.
    def registered():
        resources = ["nvidia.com/mig-1g.10gb", "nvidia.com/mig-3g.40gb"]
        plugins = [kubelet.plugin(r) for r in resources]
        return plugins if all(p is not None and p.lists for p in plugins) else None
    small_plugin, big_plugin = tk.wait_for(registered, 60, "the 1g.10gb and 3g.40gb resources to register")
    tk.wait_for(lambda: len(small_plugin.healthy()) == 7, 30, "7 healthy 1g.10gb devices")
    tk.check(big_plugin.latest() == [], "3g.40gb devices before any pod asked: %s" % big_plugin.latest())

    # 1. a running pod on a reserved 1g.10gb
    small_uid = kube.call("POST", "/api/v1/namespaces/default/pods",
                          pending_pod("small", "nvidia.com/mig-1g.10gb"))["metadata"]["uid"]
    small_job = tk.wait_for(lambda: reservation(server, small_uid, "1g.10gb"), 60, "pod small's reservation")
    bind_and_run(kube, "small")
    small_device, small_env = kubelet_allocates(small_plugin, small_plugin.healthy())
    tk.check(small_device == small_job["mig_uuid"],
             "kubelet was steered to %s, not the reserved %s" % (small_device, small_job["mig_uuid"]))
    tk.check(small_env.get("NVIDIA_VISIBLE_DEVICES") == small_device, "pod small's env %s" % small_env)
    print("running pod small: Allocate -> NVIDIA_VISIBLE_DEVICES=%s (its reservation)" % small_device, flush=True)

    # 2. a pending pod for a profile the layout lacks
    lists_before = len(big_plugin.lists)
    created = time.monotonic()
    big_uid = kube.call("POST", "/api/v1/namespaces/default/pods",
                        pending_pod("big", "nvidia.com/mig-3g.40gb"))["metadata"]["uid"]

    def listed():
        with big_plugin.cond:
            for at, devices in big_plugin.lists[lists_before:]:
                healthy = [i for i, h in devices if h == "Healthy"]
                if healthy:
                    return at, healthy
        return None
    listed_at, healthy = tk.wait_for(listed, 60, "a 3g.40gb in ListAndWatch")
    # kube-scheduler now sees nvidia.com/mig-3g.40gb: 1 on the node and binds the pod.
    bind_and_run(kube, "big")
    big_device, big_env = kubelet_allocates(big_plugin, healthy)
    allocated_at = time.monotonic()
    big_job = tk.wait_for(lambda: reservation(server, big_uid, "3g.40gb"), 30, "pod big's reservation running")
    tk.check(big_device == big_job["mig_uuid"], "Allocate gave %s, the reservation holds %s" %
             (big_device, big_job["mig_uuid"]))
    tk.check(big_env.get("NVIDIA_VISIBLE_DEVICES") == big_device, "pod big's env %s" % big_env)
    tk.check(big_device not in [d for d in small_plugin.healthy()], "the 3g.40gb is listed as a 1g.10gb")
    print("pending pod big: Allocate -> NVIDIA_VISIBLE_DEVICES=%s (new instance)" % big_device, flush=True)

    # 3. the running pod's instance untouched
    tk.check(small_device in small_plugin.healthy(), "pod small's %s is no longer healthy: %s" %
             (small_device, small_plugin.latest()))
    again = reservation(server, small_uid, "1g.10gb")
    tk.check(again is not None and again["mig_uuid"] == small_device, "pod small's reservation moved: %s" % again)
    print("pending pod created -> ListAndWatch lists its 3g.40gb: %.2f s; -> Allocate: %.2f s" % (
        listed_at - created, allocated_at - created), flush=True)
    kubelet.stop()
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
