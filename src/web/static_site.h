#pragma once
// The built web portal (web/dist), served by `vigie serve` beside the API.
//
// Every file is read into memory once, at start: a request is a lookup in a
// map, never a filesystem access, so no path a client sends can reach a file
// outside the site (no traversal, no symlink games, no TOCTOU).
//
//   /                 index.html, never stored (no-store)
//   /assets/<name>    content-hashed names: cached for a year, immutable
//   /<name>           other top-level files (icons), never stored
// A `<file>.gz` beside a file is its precompressed body, sent to clients
// accepting gzip; each form has its own ETag. Dotfiles are never served.
//
// Security: pages get kPageContentSecurityPolicy — scripts and styles from
// our origin only, no inline code, Trusted Types enforced so no script can
// write HTML, nothing framed, nothing posted by forms.
//
// Thread-safety: a loaded StaticSite is immutable; Serve is thread-safe.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "http/message.h"

namespace vigie::web {

inline constexpr std::string_view kPageContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types 'none'";

// Files larger than this are not part of a web page; refused at load.
inline constexpr uintmax_t kMaxFileBytes = 8u << 20;

class StaticSite {
 public:
  // Reads `root`: index.html (required), the files of root and root/assets.
  // Errors: NotFound when `root` or its index.html is missing;
  // InvalidArgument for a file name outside [A-Za-z0-9._-], a symbolic link
  // (a file, or the assets directory) or a file over kMaxFileBytes; Unavailable
  // when a file cannot be read or changes while it is.
  static Result<StaticSite> Load(const std::filesystem::path& root);

  // The answer for a GET (or HEAD: the server drops the body) of a site
  // path; nullopt when `request` is not for the site (the caller answers
  // 404). Other methods get a 405.
  std::optional<http::Response> Serve(const http::Request& request) const;

  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::string gzip_body;  // empty: no precompressed form
    std::string etag;       // strong, quoted: of body
    std::string gzip_etag;  // of gzip_body
    bool immutable = false;
  };
  std::map<std::string, File, std::less<>> files_;  // by URL path
};

}  // namespace vigie::web
