#pragma once
// Security: Boost.JSON, like most JSON readers, silently keeps one of two
// equal keys in an object, and readers disagree on which. Text that means
// one thing to us and another to a proxy, a WAF, a log reader or the
// client's own library is refused wherever untrusted JSON is read: API
// bodies, DPoP proofs, WebAuthn client data.
// Thread-safety: a pure function.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vigie {

// The first key found twice in one object of `json_text`, at any depth;
// keys compare unescaped ("a" and "\u0061" are the same key). nullopt when
// no key repeats, or when the text is not JSON nested at most `max_depth`
// deep (the caller parses it first and reports that itself).
std::optional<std::string> RepeatedJsonKey(std::string_view json_text, size_t max_depth = 32);

}  // namespace vigie
