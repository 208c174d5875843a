// SvgWriter: indented, escaped SVG/XML elements appended to a string — the
// one place that knows XML escaping, shared by every picture in report/.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace migsched::report {

// Text for XML character data and attribute values. Drops the control
// characters XML 1.0 cannot carry.
inline std::string EscapeXml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
          out += c;
        }
    }
  }
  return out;
}

struct Attr {
  std::string_view name;
  std::string value;
};

// Appends indented elements; escapes every attribute value and text.
class SvgWriter {
 public:
  void Open(std::string_view tag, std::initializer_list<Attr> attrs) {
    StartTag(tag, attrs);
    out_ += ">\n";
    ++depth_;
  }
  void Close(std::string_view tag) {
    --depth_;
    Indent();
    out_ += "</";
    out_ += tag;
    out_ += ">\n";
  }
  void Empty(std::string_view tag, std::initializer_list<Attr> attrs) {
    StartTag(tag, attrs);
    out_ += "/>\n";
  }
  void WithText(std::string_view tag, std::initializer_list<Attr> attrs, std::string_view text) {
    StartTag(tag, attrs);
    out_ += ">";
    out_ += EscapeXml(text);
    out_ += "</";
    out_ += tag;
    out_ += ">\n";
  }
  void Raw(std::string_view text) { out_ += text; }

  std::string Finish() && { return std::move(out_); }

 private:
  void Indent() { out_.append(static_cast<size_t>(depth_) * 2, ' '); }
  void StartTag(std::string_view tag, std::initializer_list<Attr> attrs) {
    Indent();
    out_ += "<";
    out_ += tag;
    for (const Attr& attr : attrs) {
      out_ += " ";
      out_ += attr.name;
      out_ += "=\"";
      out_ += EscapeXml(attr.value);
      out_ += "\"";
    }
  }

  std::string out_;
  int depth_ = 0;
};

}  // namespace migsched::report
