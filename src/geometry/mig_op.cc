#include "geometry/mig_op.h"

#include <array>
#include <utility>
#include <vector>

#include "common/strings.h"

namespace migsched::geometry {
namespace {

constexpr std::array<std::pair<MigOpKind, std::string_view>, 6> kOpNames = {{
    {MigOpKind::kEnableMig, "enable_mig"},
    {MigOpKind::kDisableMig, "disable_mig"},
    {MigOpKind::kDestroyCi, "destroy_ci"},
    {MigOpKind::kDestroyGi, "destroy_gi"},
    {MigOpKind::kCreateGi, "create_gi"},
    {MigOpKind::kCreateCi, "create_ci"},
}};

}  // namespace

std::string_view MigOpKindName(MigOpKind kind) {
  for (const auto& [k, name] : kOpNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

Result<MigOpKind> ParseMigOpKind(std::string_view name) {
  std::vector<std::string> names;
  for (const auto& [kind, text] : kOpNames) {
    if (text == name) return kind;
    names.emplace_back(text);
  }
  return InvalidArgumentError("unknown op '" + std::string(name) + "'; valid ops: " +
                              Join(names, ", "));
}

bool IsMigModeOp(MigOpKind kind) {
  return kind == MigOpKind::kEnableMig || kind == MigOpKind::kDisableMig;
}

std::string DescribeMigOp(const GpuModel& model, const MigOp& op) {
  const std::string name(MigOpKindName(op.kind));
  if (IsMigModeOp(op.kind)) return name;
  return name + " " + InstanceLabel(model, op.instance);
}

}  // namespace migsched::geometry
