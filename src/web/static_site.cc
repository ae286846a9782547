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

Result<std::string> ReadSmallFile(const fs::path& path) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot read " + path.string() + ": " + ec.message());
  if (size > kMaxFileBytes) {
    return Fail(ErrorCode::kInvalidArgument, path.string() + " is too large for a web page");
  }
  std::ifstream in(path, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return Fail(ErrorCode::kUnavailable, "cannot read " + path.string());
  return body;
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
      return !(weight.starts_with("q=0") && weight.find_first_of("123456789") == std::string_view::npos);
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
    if (!fs::is_directory(place.dir, ec)) continue;
    std::error_code list_error;
    for (const fs::directory_entry& entry : fs::directory_iterator(place.dir, list_error)) {
      if (entry.is_directory()) continue;
      const std::string name = entry.path().filename().string();
      if (name.ends_with(".gz")) continue;  // read with the file it compresses
      if (!IsPlainName(name)) {
        return Fail(ErrorCode::kInvalidArgument, "unexpected file name in the web portal: " +
                                                     entry.path().string());
      }
      // Security: a symbolic link could point anywhere; the build makes none.
      if (!entry.is_regular_file() || entry.is_symlink()) {
        return Fail(ErrorCode::kInvalidArgument, entry.path().string() + " is not a regular file");
      }
      const auto type = ContentTypeOf(name);
      if (!type) continue;  // source maps, licences: not served
      File file;
      file.content_type = std::string(*type);
      ASSIGN_OR_RETURN(file.body, ReadSmallFile(entry.path()));
      fs::path gz = entry.path();
      gz += ".gz";
      if (fs::is_regular_file(gz, ec) && !fs::is_symlink(gz, ec)) {
        ASSIGN_OR_RETURN(file.gzip_body, ReadSmallFile(gz));
      }
      const crypto::Sha256Digest digest = crypto::Sha256(file.body);
      file.etag = "\"" + crypto::Base64UrlEncode(std::span(digest).first(16)) + "\"";
      file.immutable = place.immutable;
      const std::string url = std::string(place.prefix) + (name == "index.html" ? "" : name);
      site.files_.emplace(url, std::move(file));
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
  http::Response response;
  response.log_route = found->first;  // one of our files: no personal data in it
  response.content_security_policy = std::string(kPageContentSecurityPolicy);
  response.headers = {
      {"Cache-Control", std::string(file.immutable ? kImmutable : kNeverStored)},
      {"ETag", file.etag},
      {"Vary", "Accept-Encoding"},
      // Security: no other window keeps a handle on ours, and
      // no other site may embed our files.
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"}};
  if (MatchesEtag(request, file.etag)) {
    response.status = 304;
    return response;
  }
  response.content_type = file.content_type;
  if (!file.gzip_body.empty() && AcceptsGzip(request)) {
    response.headers.emplace_back("Content-Encoding", "gzip");
    response.body = file.gzip_body;
  } else {
    response.body = file.body;
  }
  return response;
}

}  // namespace vigie::web
