// Where the Kubernetes API server is and how to prove who we are: a
// kubeconfig file's current context (server, CA, bearer token or client
// certificate, as kubectl reads them) or the in-cluster service account
// (KUBERNETES_SERVICE_HOST/PORT and the files under
// /var/run/secrets/kubernetes.io/serviceaccount).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace migsched::k8s {

struct KubeConfig {
  std::string server;  // "https://10.0.0.1:6443" (or http:// for a test server)
  std::string ca_pem;  // CA bundle the server's certificate must chain to; "" = the system's
  std::string token;   // bearer token; "" = none
  std::string client_cert_pem, client_key_pem;  // both or neither
  bool insecure_skip_tls_verify = false;
};

// The current context of a kubeconfig (`current-context`, its cluster and
// user). Paths inside it (certificate-authority, client-certificate,
// client-key, tokenFile) are relative to the file's directory, as kubectl
// reads them; *-data fields are base64. Errors: NotFound for an unreadable
// file; InvalidArgument naming "<file>:<line>" and the field for anything
// malformed or missing, and for auth kubectl would run a plugin for (exec,
// auth-provider), which we do not.
Result<KubeConfig> LoadKubeconfig(const std::string& path);

// The pod's service account: FailedPrecondition when not in a cluster.
// `root` replaces "/var/run/secrets/kubernetes.io/serviceaccount" (tests).
Result<KubeConfig> InClusterConfig(std::string_view root = "/var/run/secrets/kubernetes.io/serviceaccount");

// RFC 4648 base64 (whitespace ignored); InvalidArgument naming `what`.
Result<std::string> DecodeBase64(std::string_view text, std::string_view what);

}  // namespace migsched::k8s
