// Parsers for the text nvidia-smi prints about MIG (-lgip, -lgipp, -lgi, -L)
// and for simple CSV, so tests can check the catalog against real captures.
//
// Tolerant of column widths, driver-to-driver spacing and CRLF line ends. A
// line that looks like a row but does not parse lands in `bad_lines`, so a
// test can fail on it instead of silently checking fewer rows. Test-only.
#pragma once

#include <charconv>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace migsched::testing {

template <typename Row>
struct Parsed {
  std::vector<Row> rows;
  std::vector<std::string> bad_lines;
};

// Lines without their end-of-line characters ("\n" or "\r\n").
inline std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// Whitespace-separated words of a table line, without the '|' borders.
inline std::vector<std::string> TableWords(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '|')) ++i;
    const size_t begin = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '|') ++i;
    if (i > begin) words.emplace_back(line.substr(begin, i - begin));
  }
  return words;
}

inline std::optional<int> ToInt(std::string_view text) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

inline std::optional<double> ToDouble(std::string_view text) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// "0,2,4" -> {0, 2, 4}; nullopt on anything else.
inline std::optional<std::vector<int>> ToIntList(std::string_view text, char separator) {
  std::vector<int> out;
  while (!text.empty()) {
    const size_t end = text.find(separator);
    const std::optional<int> value = ToInt(text.substr(0, end));
    if (!value) return std::nullopt;
    out.push_back(*value);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

// One profile of `nvidia-smi mig -lgip`, printed on two lines:
//   |   0  MIG 1g.5gb        19     7/7        4.75       No     14     0     0   |
//   |                                                             1     0     0   |
// (GPU, name, ID, Free/Total, memory GiB, P2P, SM, DEC, ENC; then CE, JPEG, OFA).
struct LgipRow {
  int gpu = 0;
  std::string name;
  int id = 0;
  int free = 0;
  int total = 0;
  double memory_gib = 0;
  int sm = 0, dec = 0, enc = 0;
  int ce = 0, jpeg = 0, ofa = 0;
};

inline Parsed<LgipRow> ParseLgip(std::string_view text) {
  Parsed<LgipRow> out;
  const std::vector<std::string> lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::vector<std::string> w = TableWords(lines[i]);
    if (w.size() < 2 || w[1] != "MIG") continue;
    const std::vector<std::string> next =
        i + 1 < lines.size() ? TableWords(lines[i + 1]) : std::vector<std::string>{};
    const size_t slash = w.size() == 10 ? w[4].find('/') : std::string::npos;
    LgipRow row;
    bool ok = slash != std::string::npos && next.size() == 3;
    if (ok) {
      const auto gpu = ToInt(w[0]), id = ToInt(w[3]);
      const auto free = ToInt(std::string_view(w[4]).substr(0, slash));
      const auto total = ToInt(std::string_view(w[4]).substr(slash + 1));
      const auto memory = ToDouble(w[5]);
      const auto sm = ToInt(w[7]), dec = ToInt(w[8]), enc = ToInt(w[9]);
      const auto ce = ToInt(next[0]), jpeg = ToInt(next[1]), ofa = ToInt(next[2]);
      ok = gpu && id && free && total && memory && sm && dec && enc && ce && jpeg && ofa;
      if (ok) {
        row = LgipRow{.gpu = *gpu, .name = w[2], .id = *id, .free = *free, .total = *total,
                      .memory_gib = *memory, .sm = *sm, .dec = *dec, .enc = *enc, .ce = *ce,
                      .jpeg = *jpeg, .ofa = *ofa};
      }
    }
    if (ok) {
      out.rows.push_back(row);
      ++i;  // the CE/JPEG/OFA line
    } else {
      out.bad_lines.push_back(lines[i]);
    }
  }
  return out;
}

// One line of `nvidia-smi mig -lgipp`:
//   GPU  0 Profile ID 19 Placements: {0,1,2,3,4,5,6}:1
//   GPU  0 Profile ID  0 Placement : {0}:8
struct LgippLine {
  int gpu = 0;
  int id = 0;
  std::vector<int> starts;
  int size = 0;
};

inline Parsed<LgippLine> ParseLgipp(std::string_view text) {
  static const std::regex kLine(
      R"(^\s*GPU\s+(\d+)\s+Profile\s+ID\s+(\d+)\s+Placements?\s*:\s*\{([0-9, ]*)\}\s*:\s*(\d+)\s*$)");
  Parsed<LgippLine> out;
  for (const std::string& line : SplitLines(text)) {
    if (line.find("Profile ID") == std::string::npos) continue;
    std::smatch m;
    std::string starts_text;
    if (std::regex_match(line, m, kLine)) {
      for (char c : m[3].str()) {
        if (c != ' ') starts_text += c;
      }
    }
    const std::optional<std::vector<int>> starts =
        m.empty() ? std::nullopt : ToIntList(starts_text, ',');
    if (!starts) {
      out.bad_lines.push_back(line);
      continue;
    }
    out.rows.push_back(LgippLine{.gpu = *ToInt(m[1].str()),
                                 .id = *ToInt(m[2].str()),
                                 .starts = *starts,
                                 .size = *ToInt(m[4].str())});
  }
  return out;
}

// One GPU instance of `nvidia-smi mig -lgi`:
//   |   0  MIG 3g.20gb       9        1          4:4     |
// (GPU, name, profile ID, instance ID, placement start:size).
struct LgiRow {
  int gpu = 0;
  std::string name;
  int profile_id = 0;
  int instance_id = 0;
  int start = 0;
  int size = 0;
};

inline Parsed<LgiRow> ParseLgi(std::string_view text) {
  Parsed<LgiRow> out;
  for (const std::string& line : SplitLines(text)) {
    const std::vector<std::string> w = TableWords(line);
    if (w.size() < 2 || w[1] != "MIG") continue;
    const size_t colon = w.size() == 6 ? w[5].find(':') : std::string::npos;
    std::optional<int> gpu, id, instance, start, size;
    if (colon != std::string::npos) {
      gpu = ToInt(w[0]);
      id = ToInt(w[3]);
      instance = ToInt(w[4]);
      start = ToInt(std::string_view(w[5]).substr(0, colon));
      size = ToInt(std::string_view(w[5]).substr(colon + 1));
    }
    if (!(gpu && id && instance && start && size)) {
      out.bad_lines.push_back(line);
      continue;
    }
    out.rows.push_back(LgiRow{.gpu = *gpu, .name = w[2], .profile_id = *id,
                              .instance_id = *instance, .start = *start, .size = *size});
  }
  return out;
}

// One GPU of `nvidia-smi -L` with its MIG devices:
//   GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-8e100991-...)
//     MIG 3g.40gb     Device  0: (UUID: MIG-dcf43e8e-...)
struct ListedGpu {
  int index = 0;
  std::string product;
  std::vector<std::string> mig_profiles;  // in device order
};

inline Parsed<ListedGpu> ParseListGpus(std::string_view text) {
  static const std::regex kGpu(R"(^GPU\s+(\d+):\s+(.*\S)\s+\(UUID:\s*[^)]*\)\s*$)");
  static const std::regex kMig(R"(^\s+MIG\s+(\S+)\s+Device\s+(\d+):\s+\(UUID:\s*[^)]*\)\s*$)");
  Parsed<ListedGpu> out;
  for (const std::string& line : SplitLines(text)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::smatch m;
    if (std::regex_match(line, m, kGpu)) {
      out.rows.push_back(ListedGpu{.index = *ToInt(m[1].str()), .product = m[2].str(),
                                   .mig_profiles = {}});
    } else if (std::regex_match(line, m, kMig) && !out.rows.empty()) {
      out.rows.back().mig_profiles.push_back(m[1].str());
    } else {
      out.bad_lines.push_back(line);
    }
  }
  return out;
}

// RFC 4180 CSV: fields separated by commas, optionally in double quotes
// ("" inside quotes is a quote). Each record is one line here.
inline std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  for (const std::string& line : SplitLines(text)) {
    if (line.empty()) continue;
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          fields.back() += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.emplace_back();
      } else {
        fields.back() += c;
      }
    }
    records.push_back(std::move(fields));
  }
  return records;
}

}  // namespace migsched::testing
