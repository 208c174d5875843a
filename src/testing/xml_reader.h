// A tiny XML reader for tests: reads back the SVG that src/report writes so
// that tests assert on elements and decoded text, not on substrings. Enough
// of XML for our output: a prolog, elements, double-quoted attributes,
// character data and the five predefined entities. Anything else (unbalanced
// or mismatched tags, a bare '&' or '<', trailing content) is an error.
#pragma once

#include <cctype>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace migsched::testing {

struct XmlNode {
  std::string tag;
  std::map<std::string, std::string> attrs;
  std::string text;  // character data directly inside, entities decoded
  std::vector<XmlNode> children;

  std::string Attr(const std::string& name) const {
    auto it = attrs.find(name);
    return it == attrs.end() ? "" : it->second;
  }
  int IntAttr(const std::string& name) const { return std::stoi(Attr(name)); }
  const XmlNode* Child(std::string_view child_tag) const {
    for (const XmlNode& child : children) {
      if (child.tag == child_tag) return &child;
    }
    return nullptr;
  }
};

class XmlReader {
 public:
  explicit XmlReader(std::string_view text) : text_(text) {}

  // The root element, or an empty tag with error() set.
  XmlNode Read() {
    SkipSpace();
    if (text_.substr(pos_, 5) == "<?xml") {
      const size_t end = text_.find("?>", pos_);
      if (end == std::string_view::npos) return Fail("unterminated prolog");
      pos_ = end + 2;
    }
    SkipSpace();
    XmlNode root = Element();
    SkipSpace();
    if (error_.empty() && pos_ != text_.size()) return Fail("content after the root element");
    return root;
  }
  const std::string& error() const { return error_; }

 private:
  XmlNode Fail(std::string message) {
    if (error_.empty()) error_ = message + " at offset " + std::to_string(pos_);
    return XmlNode{};
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  void SkipSpace() {
    while (!AtEnd() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  std::string Name() {
    const size_t start = pos_;
    while (!AtEnd() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                        text_[pos_] == '-' || text_[pos_] == '_' || text_[pos_] == ':')) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }
  // Decodes one entity at pos_ ('&'), or sets the error.
  std::string Entity() {
    static const std::map<std::string_view, std::string> kEntities = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
    for (const auto& [entity, value] : kEntities) {
      if (text_.substr(pos_, entity.size()) == entity) {
        pos_ += entity.size();
        return value;
      }
    }
    Fail("bare '&'");
    return "";
  }
  XmlNode Element() {
    if (AtEnd() || text_[pos_] != '<') return Fail("expected '<'");
    ++pos_;
    XmlNode node;
    node.tag = Name();
    if (node.tag.empty()) return Fail("expected a tag name");
    while (true) {
      SkipSpace();
      if (AtEnd()) return Fail("unterminated start tag");
      if (text_.substr(pos_, 2) == "/>") {
        pos_ += 2;
        return node;
      }
      if (text_[pos_] == '>') {
        ++pos_;
        break;
      }
      const std::string name = Name();
      if (name.empty() || text_.substr(pos_, 2) != "=\"") return Fail("malformed attribute");
      pos_ += 2;
      std::string value;
      while (!AtEnd() && text_[pos_] != '"') {
        if (text_[pos_] == '<') return Fail("'<' in attribute");
        if (text_[pos_] == '&') {
          value += Entity();
        } else {
          value += text_[pos_++];
        }
      }
      if (AtEnd()) return Fail("unterminated attribute");
      ++pos_;
      if (!node.attrs.emplace(name, value).second) return Fail("duplicate attribute " + name);
    }
    while (error_.empty()) {
      if (AtEnd()) return Fail("unclosed <" + node.tag + ">");
      if (text_.substr(pos_, 2) == "</") {
        pos_ += 2;
        if (Name() != node.tag) return Fail("mismatched </...> for <" + node.tag + ">");
        SkipSpace();
        if (AtEnd() || text_[pos_] != '>') return Fail("malformed end tag");
        ++pos_;
        return node;
      }
      if (text_[pos_] == '<') {
        node.children.push_back(Element());
      } else if (text_[pos_] == '&') {
        node.text += Entity();
      } else if (text_[pos_] == '>') {
        return Fail("bare '>' in text");
      } else {
        node.text += text_[pos_++];
      }
    }
    return XmlNode{};
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

// Every node under `root` (itself included) that `keep` accepts, in document order.
inline std::vector<const XmlNode*> FindAll(const XmlNode& root, const std::function<bool(const XmlNode&)>& keep) {
  std::vector<const XmlNode*> out;
  if (keep(root)) out.push_back(&root);
  for (const XmlNode& child : root.children) {
    const std::vector<const XmlNode*> more = FindAll(child, keep);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

}  // namespace migsched::testing
