#include "trace/text_file.h"

#include <fstream>
#include <sstream>

namespace migsched::trace {

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return NotFoundError("cannot read '" + path + "'");
  return text.str();
}

}  // namespace migsched::trace
