// Fuzz target: the node agent's write-ahead journal (agent::ParseJournal).
#include "agent/journal.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace migsched;
  const auto record = agent::ParseJournal(fuzz::AsText(data, size), "fuzz.journal", fuzz::Catalog());
  if (!record.has_value()) fuzz::CheckRefusal(record.error(), "fuzz.journal");
  return 0;
}
