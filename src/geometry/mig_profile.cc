#include "geometry/mig_profile.h"

#include <array>
#include <charconv>
#include <utility>

#include "common/strings.h"

namespace migsched::geometry {
namespace {

constexpr std::array<std::pair<std::string_view, MediaVariant>, 4> kSuffixes = {{
    {"+me.all", MediaVariant::kAllMedia},
    {"+me", MediaVariant::kMediaExtension},
    {"-me", MediaVariant::kNoMedia},
    {"+gfx", MediaVariant::kGraphics},
}};

// Consumes a positive decimal number from the front of `text`.
bool ConsumeNumber(std::string_view& text, int& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (ec != std::errc() || ptr == text.data() || out <= 0) return false;
  text.remove_prefix(static_cast<size_t>(ptr - text.data()));
  return true;
}

bool ConsumeLiteral(std::string_view& text, std::string_view literal) {
  if (!text.starts_with(literal)) return false;
  text.remove_prefix(literal.size());
  return true;
}

}  // namespace

std::string_view MediaVariantSuffix(MediaVariant variant) {
  for (const auto& [suffix, v] : kSuffixes) {
    if (v == variant) return suffix;
  }
  return "";
}

Result<MigProfileName> MigProfileName::Parse(std::string_view text) {
  MigProfileName name;
  std::string_view rest = text;
  if (!ConsumeNumber(rest, name.compute_slices) || !ConsumeLiteral(rest, "g.") ||
      !ConsumeNumber(rest, name.memory_gb) || !ConsumeLiteral(rest, "gb")) {
    return InvalidArgumentError("malformed MIG profile " + Quote(text) +
                                ": expected <N>g.<M>gb with an optional +me, +me.all, -me or +gfx");
  }
  if (rest.empty()) return name;
  for (const auto& [suffix, variant] : kSuffixes) {
    if (rest == suffix) {
      name.variant = variant;
      return name;
    }
  }
  return InvalidArgumentError("malformed MIG profile " + Quote(text) + ": unknown suffix " +
                              Quote(rest) + " (known: +me, +me.all, -me, +gfx)");
}

std::string MigProfileName::ToString() const {
  return std::to_string(compute_slices) + "g." + std::to_string(memory_gb) + "gb" +
         std::string(MediaVariantSuffix(variant));
}

}  // namespace migsched::geometry
