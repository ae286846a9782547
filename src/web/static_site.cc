#include "web/static_site.h"

#include <fstream>
#include <iterator>
#include <span>
#include <system_error>

#include "crypto/hash.h"
#include "http/problem.h"

namespace vigie::web {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
// The page itself holds nothing personal, but a browser keeping it would
// bring a signed-in page back from its back/forward cache.
constexpr std::string_view kNeverStored = "no-store";

struct ContentType {
  std::string_view extension;
  std::string_view type;
};
constexpr ContentType kContentTypes[] = {
    {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},     {".svg", "image/svg+xml"},
    {".png", "image/png"},                   {".ico", "image/x-icon"},
    {".json", "application/json"},           {".webmanifest", "application/manifest+json"},
    {".woff2", "font/woff2"},                {".txt", "text/plain; charset=utf-8"},
};

std::optional<std::string_view> ContentTypeOf(std::string_view name) {
  for (const ContentType& known : kContentTypes) {
    if (name.ends_with(known.extension)) return known.type;
  }
  return std::nullopt;
}

// Security: only plain names reach the map, so the URL space is exactly the
// files we read.
bool IsPlainName(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The whole file, read up to its size at listing and one byte more: a file
// grown or shrunk meanwhile is refused, not cut short or read unbounded.
Result<std::string> ReadSmallFile(const fs::path& path) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot read " + path.string() + ": " + ec.message());
  if (size > kMaxFileBytes) {
    return Fail(ErrorCode::kInvalidArgument, path.string() + " is too large for a web page");
  }
  std::ifstream in(path, std::ios::binary);
  std::string body(size + 1, '\0');
  if (in) in.read(body.data(), static_cast<std::streamsize>(body.size()));
  if (!in && !in.eof()) return Fail(ErrorCode::kUnavailable, "cannot read " + path.string());
  if (static_cast<uintmax_t>(in.gcount()) != size) {
    return Fail(ErrorCode::kUnavailable, path.string() + " changed while it was read");
  }
  body.resize(size);
  return body;
}

// A strong validator of exactly these bytes: the plain and the gzip forms of
// a file get different ones (RFC 9110 §8.8.3), and a .gz left over from an
// older build cannot pass for the current file in a cache.
std::string EtagOf(std::string_view bytes) {
  const crypto::Sha256Digest digest = crypto::Sha256(bytes);
  return "\"" + crypto::Base64UrlEncode(std::span(digest).first(16)) + "\"";
}

// True when Accept-Encoding lists gzip with a non-zero weight (RFC 9110 §12.5.3).
bool AcceptsGzip(const http::Request& request) {
  const std::string_view accepted = request.Header("Accept-Encoding").value_or("");
  size_t start = 0;
  while (start <= accepted.size()) {
    size_t end = accepted.find(',', start);
    if (end == std::string_view::npos) end = accepted.size();
    std::string_view item = accepted.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const size_t semicolon = item.find(';');
    std::string_view coding = item.substr(0, semicolon);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (http::EqualsIgnoreCase(coding, "gzip")) {
      if (semicolon == std::string_view::npos) return true;
      std::string_view weight = item.substr(semicolon + 1);
      while (!weight.empty() && weight.front() == ' ') weight.remove_prefix(1);
      const bool zero = weight.size() >= 3 && (weight[0] == 'q' || weight[0] == 'Q') &&
                        weight.substr(1, 2) == "=0";
      return !(zero && weight.find_first_of("123456789") == std::string_view::npos);
    }
    start = end + 1;
  }
  return false;
}

bool MatchesEtag(const http::Request& request, std::string_view etag) {
  const auto given = request.Header("If-None-Match");
  if (!given) return false;
  // A list of tags, possibly weak (W/"..."): a weak comparison suffices for a
  // GET, and our tags (quoted base64url) cannot overlap one another.
  return *given == "*" || given->find(etag) != std::string_view::npos;
}

}  // namespace

Result<StaticSite> StaticSite::Load(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_regular_file(root / "index.html", ec)) {
    return Fail(ErrorCode::kNotFound, "no web portal at " + root.string() +
                                          " (index.html missing: build it with `make build`)");
  }
  StaticSite site;
  // URL prefix, directory, immutable
  const struct {
    std::string_view prefix;
    fs::path dir;
    bool immutable;
  } places[] = {{"/", root, false}, {"/assets/", root / "assets", true}};
  for (const auto& place : places) {
    // Security: a linked assets directory could be any directory; the build
    // makes none. (The root may be a link: the operator names it.)
    if (place.immutable && fs::is_symlink(place.dir, ec)) {
      return Fail(ErrorCode::kInvalidArgument, place.dir.string() + " is a symbolic link");
    }
    if (!fs::is_directory(place.dir, ec)) continue;
    std::error_code list_error;
    for (fs::directory_iterator it(place.dir, list_error), end; !list_error && it != end;
         it.increment(list_error)) {
      const fs::directory_entry& entry = *it;
      const std::string name = entry.path().filename().string();
      // Directories, a .gz (read with the file it compresses), and dotfiles
      // an editor or a copy left: never served.
      if (entry.is_directory(ec) || name.ends_with(".gz") || name.starts_with(".")) continue;
      if (!IsPlainName(name)) {
        return Fail(ErrorCode::kInvalidArgument, "unexpected file name in the web portal: " +
                                                     entry.path().string());
      }
      // Security: a symbolic link could point anywhere; the build makes none.
      if (!entry.is_regular_file(ec) || entry.is_symlink(ec)) {
        return Fail(ErrorCode::kInvalidArgument, entry.path().string() + " is not a regular file");
      }
      const auto type = ContentTypeOf(name);
      if (!type) continue;  // source maps, licences: not served
      File file;
      file.content_type = std::string(*type);
      ASSIGN_OR_RETURN(file.body, ReadSmallFile(entry.path()));
      file.etag = EtagOf(file.body);
      fs::path gz = entry.path();
      gz += ".gz";
      if (fs::is_regular_file(gz, ec) && !fs::is_symlink(gz, ec)) {
        ASSIGN_OR_RETURN(file.gzip_body, ReadSmallFile(gz));
        file.gzip_etag = EtagOf(file.gzip_body);
      }
      file.immutable = place.immutable;
      const bool index = place.prefix == "/" && name == "index.html";
      site.files_.emplace(std::string(place.prefix) + (index ? "" : name), std::move(file));
    }
    if (list_error) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot list " + place.dir.string() + ": " + list_error.message());
    }
  }
  return site;
}

std::optional<http::Response> StaticSite::Serve(const http::Request& request) const {
  const auto found = files_.find(request.Path());
  if (found == files_.end()) return std::nullopt;
  const File& file = found->second;
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response refused = http::Problem(405, "Method Not Allowed", "the web portal is read-only",
                                           request.request_id);
    refused.headers.emplace_back("Allow", "GET, HEAD");
    refused.log_route = found->first;
    return refused;
  }
  // The form sent decides the validator: each has its own.
  const bool gzip = !file.gzip_body.empty() && AcceptsGzip(request);
  const std::string& etag = gzip ? file.gzip_etag : file.etag;
  http::Response response;
  response.log_route = found->first;  // one of our files: no personal data in it
  response.content_security_policy = std::string(kPageContentSecurityPolicy);
  response.headers = {
      {"Cache-Control", std::string(file.immutable ? kImmutable : kNeverStored)},
      {"ETag", etag},
      {"Vary", "Accept-Encoding"},
      // Security: no other window keeps a handle on ours, and
      // no other site may embed our files.
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"}};
  if (gzip) response.headers.emplace_back("Content-Encoding", "gzip");
  if (MatchesEtag(request, etag)) {
    response.status = 304;
    return response;
  }
  response.content_type = file.content_type;
  response.body = gzip ? file.gzip_body : file.body;
  return response;
}

}  // namespace vigie::web
