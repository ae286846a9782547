#include "core/json_keys.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vigie {
namespace {

namespace json = boost::json;

// A boost::json::basic_parser handler that finds the first object holding
// the same key twice, at any depth. Keys arrive unescaped ("\u0061" is
// "a"), so they compare as the parsed value would. The keys of the objects
// still open sit in one buffer (an inner object's are dropped when it
// ends); each object's are sorted and compared when it closes: memory in
// the keys' bytes plus a few words per key, time O(k log k) for k keys.
class DuplicateKeyFinder {
 public:
  static constexpr size_t max_array_size = static_cast<size_t>(-1);
  static constexpr size_t max_object_size = static_cast<size_t>(-1);
  static constexpr size_t max_string_size = static_cast<size_t>(-1);
  static constexpr size_t max_key_size = static_cast<size_t>(-1);

  // The key found twice, if any (after a write that failed).
  const std::optional<std::string>& duplicate() const { return duplicate_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(size_t, json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    open_.push_back({.bytes = keys_.size(), .first_key = starts_.size()});
    return true;
  }
  bool on_object_end(size_t, json::error_code& ec) {
    const Frame frame = open_.back();
    open_.pop_back();
    std::vector<std::string_view> keys;
    keys.reserve(starts_.size() - frame.first_key);
    for (size_t i = frame.first_key; i < starts_.size(); ++i) {
      const size_t end = i + 1 < starts_.size() ? starts_[i + 1] : keys_.size();
      keys.push_back(std::string_view(keys_).substr(starts_[i], end - starts_[i]));
    }
    std::sort(keys.begin(), keys.end());
    if (auto same = std::adjacent_find(keys.begin(), keys.end()); same != keys.end()) {
      duplicate_ = std::string(*same);
      ec = json::make_error_code(json::error::syntax);
      return false;
    }
    keys_.resize(frame.bytes);
    starts_.resize(frame.first_key);
    return true;
  }
  bool on_string_part(json::string_view, size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, size_t, json::error_code&) { return true; }
  // A key may come in parts (escapes, a body read in pieces), then its end.
  bool on_key_part(json::string_view part, size_t, json::error_code&) {
    StartKey();
    keys_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view rest, size_t, json::error_code&) {
    StartKey();
    keys_.append(rest.data(), rest.size());
    in_key_ = false;
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  void StartKey() {
    if (!in_key_) starts_.push_back(keys_.size());
    in_key_ = true;
  }

  struct Frame {
    size_t bytes;      // keys_.size() when the object opened
    size_t first_key;  // starts_.size() when the object opened
  };
  std::string keys_;            // the open objects' keys, end to end
  std::vector<size_t> starts_;  // where each of them starts in keys_
  std::vector<Frame> open_;
  bool in_key_ = false;  // between a key's first part and its end
  std::optional<std::string> duplicate_;
};

}  // namespace

std::optional<std::string> RepeatedJsonKey(std::string_view json_text, size_t max_depth) {
  json::parse_options options;
  options.max_depth = max_depth;
  json::basic_parser<DuplicateKeyFinder> parser(options);
  json::error_code error;
  parser.write_some(false, json_text.data(), json_text.size(), error);
  return parser.handler().duplicate();
}

}  // namespace vigie
