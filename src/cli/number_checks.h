// CLI11 checks for numeric options whose failure reads plainly
// ("--compress: must be a number > 0, not '0'"): CLI11's own PositiveNumber
// prints its range with the largest double spelt out, 400 characters long.
#pragma once

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <string>

#include "common/strings.h"

namespace migsched::cli {

enum class NumberBound { kAboveZero, kZeroOrMore };

// `max`, when finite, is an upper bound too ("a number from 0 to 3600").
// NaN and infinities are never numbers here (CLI::Range lets "nan" through).
inline CLI::Validator NumberCheck(NumberBound bound, double max = HUGE_VAL) {
  const auto plain = [](double x) {
    std::string text = std::to_string(x);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text;
  };
  const std::string rule = std::isfinite(max) ? "a number from " +
                                                    std::string(bound == NumberBound::kAboveZero ? "above 0" : "0") +
                                                    " to " + plain(max)
                           : bound == NumberBound::kAboveZero ? "a number > 0"
                                                              : "a number >= 0";
  return CLI::Validator(
      [bound, max, rule](std::string& text) -> std::string {
        double value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        const bool number = !text.empty() && error == std::errc() && end == text.data() + text.size() &&
                            std::isfinite(value);
        const bool in_range = (bound == NumberBound::kAboveZero ? value > 0 : value >= 0) && value <= max;
        return number && in_range ? std::string() : "must be " + rule + ", not " + Quote(text);
      },
      bound == NumberBound::kAboveZero ? "POSITIVE" : "NONNEGATIVE");
}

}  // namespace migsched::cli
