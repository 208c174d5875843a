#include "cli/trace_commands.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <memory>

#include "cli/cli.h"
#include "cli/row_issues.h"
#include "io/text_file.h"
#include "trace/alibaba2023.h"
#include "trace/generic_writer.h"
#include "trace/kubectl_pods.h"
#include "trace/sacct.h"

namespace migsched::cli {
namespace {

struct ImportArgs {
  std::string from;
  std::string input;
  std::string output;
};

Result<trace::Trace> Import(const ImportArgs& args) {
  if (args.from == "alibaba2023") return trace::LoadAlibabaPods(args.input);
  Result<std::string> text = io::ReadTextFile(args.input);
  if (!text.has_value()) return text.error();
  if (args.from == "sacct") return trace::ParseSacct(*text, args.input);
  return trace::ParseKubectlPods(*text, args.input);
}

int RunImport(const CommandContext& context, const ImportArgs& args) {
  const auto fail = [&](const Status& status) {
    context.err << "migsched trace import: " << status.message() << "\n";
    return kExitBadInput;
  };
  Result<trace::Trace> trace = Import(args);
  if (!trace.has_value()) return fail(trace.error());
  std::ofstream file(args.output, std::ios::binary);
  file << trace::WriteGenericCsv(*trace);
  file.close();
  if (!file.good()) return fail(UnavailableError("cannot write '" + args.output + "'"));
  context.out << args.output << ": " << trace->jobs.size() << " jobs from " << args.input << " (" << args.from
              << "); " << trace->cpu_only_rows << " without GPUs; " << trace->bad_rows.size() << " bad rows\n";
  for (const std::string& line : RowIssueLines(args.input, trace->bad_rows)) context.out << line << "\n";
  return kExitOk;
}

}  // namespace

void AddTraceCommands(CLI::App& app, ChosenCommand& chosen) {
  CLI::App* trace = app.add_subcommand("trace", "cluster traces for the simulator");
  trace->require_subcommand(1);
  auto args = std::make_shared<ImportArgs>();
  CLI::App* import = trace->add_subcommand("import", "write a cluster's history in the generic trace format (CSV)");
  import->add_option("--from", args->from, "sacct (--parsable2), kubectl (get pods -A -o json) or alibaba2023")
      ->required()
      ->check(CLI::IsMember({"sacct", "kubectl", "alibaba2023"}));
  import->add_option("input", args->input, "the source file")->required();
  import->add_option("-o,--output", args->output, "the generic CSV to write")->required();
  import->callback([&chosen, args] {
    chosen = [args](const CommandContext& c) { return RunImport(c, *args); };
  });
}

}  // namespace migsched::cli
