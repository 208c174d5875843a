#include "k8s/kube_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "testing/status_matchers.h"

namespace migsched::k8s {
namespace {

using testing::HasError;
using testing::IsOk;

class KubeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kube_config_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

constexpr const char* kHeader = R"(apiVersion: v1
kind: Config
current-context: prod
contexts:
- name: dev
  context: {cluster: dev, user: dev}
- name: prod
  context: {cluster: prod, user: admin}
)";

TEST_F(KubeConfigTest, ReadsTheCurrentContextsClusterAndUser) {
  // "-----BEGIN CA-----\n" in base64; the token file is relative to the kubeconfig.
  Write("token", "s3cret\n");
  const std::string path = Write("config", std::string(kHeader) + R"(clusters:
- name: dev
  cluster: {server: "https://dev:6443"}
- name: prod
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority-data: LS0tLS1CRUdJTiBDQS0tLS0tCg==
users:
- name: admin
  user: {tokenFile: token}
)");
  const Result<KubeConfig> config = LoadKubeconfig(path);
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->server, "https://10.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, "-----BEGIN CA-----\n");
  EXPECT_EQ(config->token, "s3cret");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
}

TEST_F(KubeConfigTest, ReadsClientCertificateFiles) {
  Write("client.crt", "CERT");
  Write("client.key", "KEY");
  const Result<KubeConfig> config = LoadKubeconfig(Write("config", std::string(kHeader) + R"(clusters:
- name: prod
  cluster: {server: "http://127.0.0.1:8080", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {client-certificate: client.crt, client-key: client.key}
)"));
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->client_cert_pem, "CERT");
  EXPECT_EQ(config->client_key_pem, "KEY");
  EXPECT_TRUE(config->insecure_skip_tls_verify);
}

TEST_F(KubeConfigTest, AMissingClusterNamesTheFileAndLine) {
  const std::string path = Write("config", std::string(kHeader) + "clusters:\n- name: dev\n  cluster: {server: x}\n");
  EXPECT_THAT(LoadKubeconfig(path), HasError(StatusCode::kInvalidArgument, "no cluster named 'prod'"));
  EXPECT_THAT(LoadKubeconfig(path), HasError(StatusCode::kInvalidArgument, path + ":"));
}

TEST_F(KubeConfigTest, ExecPluginsAreRefusedClearly) {
  const std::string path = Write("config", std::string(kHeader) + R"(clusters:
- name: prod
  cluster: {server: "https://k:6443"}
users:
- name: admin
  user: {exec: {command: aws}}
)");
  EXPECT_THAT(LoadKubeconfig(path), HasError(StatusCode::kInvalidArgument, "uses exec"));
}

TEST_F(KubeConfigTest, ABadServerUrlIsAnError) {
  const std::string path = Write("config", std::string(kHeader) + R"(clusters:
- name: prod
  cluster: {server: "k:6443"}
)");
  EXPECT_THAT(LoadKubeconfig(path), HasError(StatusCode::kInvalidArgument, "server must be an http:// or https:// URL"));
}

TEST_F(KubeConfigTest, AMissingFileIsNotFound) {
  EXPECT_THAT(LoadKubeconfig((dir_ / "absent").string()), HasError(StatusCode::kNotFound, "kubeconfig"));
}

TEST_F(KubeConfigTest, InClusterReadsTheServiceAccount) {
  Write("token", "sa-token\n");
  Write("ca.crt", "CA");
  ::setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  const Result<KubeConfig> config = InClusterConfig(dir_.string());
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  ::unsetenv("KUBERNETES_SERVICE_PORT");
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->server, "https://[fd00::1]:443");
  EXPECT_EQ(config->token, "sa-token");
  EXPECT_EQ(config->ca_pem, "CA");
  EXPECT_THAT(InClusterConfig(dir_.string()), HasError(StatusCode::kFailedPrecondition, "not running in a Kubernetes pod"));
}

TEST(Base64, DecodesAndRejectsGarbage) {
  EXPECT_EQ(*DecodeBase64("aGVsbG8=", "x"), "hello");
  EXPECT_EQ(*DecodeBase64("aGVs\nbG8h", "x"), "hello!");
  EXPECT_THAT(DecodeBase64("aGV*", "ca-data"), HasError(StatusCode::kInvalidArgument, "ca-data: not base64"));
}

}  // namespace
}  // namespace migsched::k8s
