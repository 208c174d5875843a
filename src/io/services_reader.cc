#include "io/services_reader.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>

#include "io/text_file.h"
#include "io/yaml_reader.h"
#include "trace/csv_table.h"
#include "trace/generic.h"

namespace migsched::io {
namespace {

constexpr double kMaxSeconds = 1e10;  // 300 years: milliseconds stay far inside int64
constexpr double kMaxRps = 1e9;

int64_t Millis(double value) { return std::llround(value * 1000); }

// A rate point's fields, range-checked; "" when fine, else why not.
std::string CheckPoint(double t_s, double rps) {
  if (!std::isfinite(t_s) || t_s < 0 || t_s > kMaxSeconds) return "t_s must be a number from 0 to 1e10";
  if (!std::isfinite(rps) || rps < 0 || rps > kMaxRps) return "rps must be a number from 0 to 1e9";
  return "";
}

std::optional<double> ParseNumber(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A rate series with each point's "<file>:<line>", for errors about its order.
struct LocatedRate {
  std::vector<sim::RatePoint> points;
  std::vector<std::string> where;
};

// The series of a rate CSV (columns t_s,rps), each point checked.
Result<LocatedRate> ReadRateCsv(const std::string& path) {
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, ReadTextFile(path, "rate_csv file"));
  const Result<trace::CsvTable> table = trace::CsvTable::Open(text, path, {"t_s", "rps"});
  if (!table.has_value()) return table.error();
  LocatedRate rate;
  std::string problem;
  table->ForEachRow(
      [&](int line, const std::vector<std::string_view>& fields) {
        if (!problem.empty()) return;
        const std::optional<double> t_s = ParseNumber(fields[0]);
        const std::optional<double> rps = ParseNumber(fields[1]);
        const std::string why = !t_s || !rps ? "t_s and rps must be numbers" : CheckPoint(*t_s, *rps);
        if (!why.empty()) {
          problem = path + ":" + std::to_string(line) + ": " + why;
          return;
        }
        rate.points.push_back(sim::RatePoint{Millis(*t_s), Millis(*rps)});
        rate.where.push_back(path + ":" + std::to_string(line));
      },
      [&](int line, const std::string& reason) {
        if (problem.empty()) problem = path + ":" + std::to_string(line) + ": " + reason;
      });
  if (!problem.empty()) return InvalidArgumentError(problem);
  if (rate.points.empty()) return InvalidArgumentError(path + ": no rate points");
  return rate;
}

class ServiceParser {
 public:
  ServiceParser(const YamlReader& reader, std::string base_dir) : reader_(reader), base_dir_(std::move(base_dir)) {}

  Result<sim::ServiceSpec> Parse(const YAML::Node& item) {
    MIGSCHED_RETURN_IF_ERROR(reader_.ExpectKeys(
        item, "service",
        {"name", "gpu_milli", "memory_mib", "profile", "priority", "replica_rps", "min_replicas", "max_replicas",
         "end_s", "repeat_s", "rate", "rate_csv"}));
    sim::ServiceSpec spec;
    MIGSCHED_ASSIGN_OR_RETURN(spec.name, reader_.String(item, "name"));
    if (spec.name.empty()) return reader_.Error(item, "a service needs a name");
    const std::string named = " (service '" + spec.name + "')";
    MIGSCHED_ASSIGN_OR_RETURN(spec.replica, ParseReplica(item, named));
    spec.replica.name = spec.name;
    std::optional<double> rps;
    MIGSCHED_ASSIGN_OR_RETURN(rps, reader_.OptionalNumber(item, "replica_rps", 0.001, kMaxRps));
    if (!rps) return reader_.Error(item, "missing 'replica_rps'" + named);
    spec.replica_milli_rps = Millis(*rps);
    MIGSCHED_ASSIGN_OR_RETURN(spec.min_replicas, reader_.Count(item, "min_replicas"));
    MIGSCHED_ASSIGN_OR_RETURN(spec.max_replicas, reader_.Count(item, "max_replicas"));
    if (spec.max_replicas < 1 || spec.min_replicas > spec.max_replicas) {
      return reader_.Error(item["max_replicas"], "max_replicas must be at least 1 and at least min_replicas" + named);
    }
    std::optional<double> end, repeat;
    MIGSCHED_ASSIGN_OR_RETURN(end, reader_.OptionalNumber(item, "end_s", 0, kMaxSeconds));
    if (!end) return reader_.Error(item, "missing 'end_s' (when the service stops)" + named);
    spec.end_ms = Millis(*end);
    MIGSCHED_ASSIGN_OR_RETURN(repeat, reader_.OptionalNumber(item, "repeat_s", 0.001, kMaxSeconds));
    spec.period_ms = repeat ? Millis(*repeat) : 0;
    LocatedRate rate;
    MIGSCHED_ASSIGN_OR_RETURN(rate, ParseRate(item, named));
    for (size_t i = 1; i < rate.points.size(); ++i) {
      if (rate.points[i].t_ms <= rate.points[i - 1].t_ms) {
        return InvalidArgumentError(rate.where[i] + ": t_s must be after the previous point's" + named);
      }
    }
    spec.rate = std::move(rate.points);
    if (spec.end_ms <= spec.rate.front().t_ms) {
      return reader_.Error(item["end_s"], "end_s must be after the first rate point" + named);
    }
    if (spec.period_ms > 0 && spec.rate.back().t_ms - spec.rate.front().t_ms >= spec.period_ms) {
      return reader_.Error(item["repeat_s"], "the rate series is longer than repeat_s" + named);
    }
    const Status valid = sim::ValidateService(spec);  // what is left: the expansion's size
    if (!valid.ok()) return reader_.Error(item, valid.message());
    return spec;
  }

 private:
  // One replica's request, as a generic trace row gives it.
  Result<trace::TraceJob> ParseReplica(const YAML::Node& item, const std::string& named) const {
    trace::TraceJob replica;
    replica.kind = trace::JobKind::kInference;
    std::optional<int64_t> milli, mib, priority;
    MIGSCHED_ASSIGN_OR_RETURN(milli, reader_.OptionalInteger(item, "gpu_milli"));
    MIGSCHED_ASSIGN_OR_RETURN(mib, reader_.OptionalInteger(item, "memory_mib"));
    MIGSCHED_ASSIGN_OR_RETURN(priority, reader_.OptionalInteger(item, "priority"));
    if (item["profile"]) {
      MIGSCHED_ASSIGN_OR_RETURN(replica.profile, reader_.String(item, "profile"));
      const std::optional<int> share = trace::ProfileDemandMilli(replica.profile);
      if (!share) {
        return reader_.Error(item["profile"], "'" + replica.profile +
                                                  "' is not a standard MIG profile name such as 3g.40gb" + named);
      }
      if (milli || mib) return reader_.Error(item, "give profile, or gpu_milli and/or memory_mib, not both" + named);
      replica.gpu_milli = *share;
    } else if (!milli && !mib) {
      return reader_.Error(item, "a replica needs gpu_milli, memory_mib or profile" + named);
    }
    if (milli && (*milli < 1 || *milli > 1000)) {
      return reader_.Error(item["gpu_milli"], "'gpu_milli' must be from 1 to 1000" + named);
    }
    if (mib && (*mib < 1 || *mib > (int64_t{1} << 30))) {
      return reader_.Error(item["memory_mib"], "'memory_mib' must be from 1 to 1073741824" + named);
    }
    if (priority && (*priority < -1'000'000 || *priority > 1'000'000)) {
      return reader_.Error(item["priority"], "'priority' must be from -1000000 to 1000000" + named);
    }
    // As a trace row: memory alone asks for the least compute.
    if (replica.profile.empty()) replica.gpu_milli = milli ? static_cast<int>(*milli) : 1;
    replica.gpu_memory_mib = mib.value_or(0);
    replica.priority = static_cast<int>(priority.value_or(0));
    return replica;
  }

  Result<LocatedRate> ParseRate(const YAML::Node& item, const std::string& named) const {
    const YAML::Node inline_rate = item["rate"];
    const YAML::Node csv = item["rate_csv"];
    if (inline_rate.IsDefined() == csv.IsDefined()) {
      return reader_.Error(item, "give the request rate as 'rate' (a list) or 'rate_csv' (a file), one of them" + named);
    }
    if (csv) {
      std::string path;
      MIGSCHED_ASSIGN_OR_RETURN(path, reader_.String(item, "rate_csv"));
      if (std::filesystem::path(path).is_relative()) path = (std::filesystem::path(base_dir_) / path).string();
      return ReadRateCsv(path);
    }
    if (!inline_rate.IsSequence() || inline_rate.size() == 0) {
      return reader_.Error(inline_rate, "'rate' must be a non-empty list of {t_s, rps}" + named);
    }
    LocatedRate rate;
    for (const YAML::Node& point : inline_rate) {
      MIGSCHED_RETURN_IF_ERROR(reader_.ExpectKeys(point, "rate point", {"t_s", "rps"}));
      std::optional<double> t_s, rps;
      MIGSCHED_ASSIGN_OR_RETURN(t_s, reader_.OptionalNumber(point, "t_s", 0, kMaxSeconds));
      MIGSCHED_ASSIGN_OR_RETURN(rps, reader_.OptionalNumber(point, "rps", 0, kMaxRps));
      if (!t_s || !rps) return reader_.Error(point, "a rate point needs t_s and rps" + named);
      rate.points.push_back(sim::RatePoint{Millis(*t_s), Millis(*rps)});
      rate.where.push_back(reader_.Where(point));
    }
    return rate;
  }

  const YamlReader& reader_;
  std::string base_dir_;
};

}  // namespace

Result<std::vector<sim::ServiceSpec>> ParseServices(std::string_view text, const std::string& source,
                                                    const std::string& base_dir) {
  const YamlReader reader(source);
  YAML::Node root;
  MIGSCHED_ASSIGN_OR_RETURN(root, reader.Parse(text));
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(root, "services file", {"services"}));
  const YAML::Node list = root["services"];
  if (!list || !list.IsSequence() || list.size() == 0) {
    return reader.Error(list ? list : root, "'services' must be a non-empty list");
  }
  ServiceParser parser(reader, base_dir);
  std::vector<sim::ServiceSpec> services;
  std::set<std::string> names;
  for (const YAML::Node& item : list) {
    sim::ServiceSpec spec;
    MIGSCHED_ASSIGN_OR_RETURN(spec, parser.Parse(item));
    if (!names.insert(spec.name).second) return reader.Error(item, "service '" + spec.name + "' is given twice");
    services.push_back(std::move(spec));
  }
  return services;
}

Result<std::vector<sim::ServiceSpec>> ReadServicesFile(const std::string& path) {
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, ReadTextFile(path, "services file"));
  return ParseServices(text, path, std::filesystem::path(path).parent_path().string());
}

}  // namespace migsched::io
