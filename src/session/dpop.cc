#include "session/dpop.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <system_error>
#include <vector>

#include "core/json_keys.h"
#include "crypto/crypto.h"
#include "session/dpop_key_cache.h"

namespace vigie::session {
namespace {

namespace json = boost::json;

constexpr std::string_view kInvalidProof = "invalid DPoP proof: ";

Error Invalid(std::string_view why) { return InvalidDpopProof(why); }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool Unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

// RFC 3986 §6.2.2 on a parsed (so well-encoded) absolute or empty path: its
// percent-encodings in upper case, the unreserved characters among them
// decoded - a reserved one stays encoded ("%2F" is no separator) - then its
// dot segments removed (§5.2.4). Two spellings of one path compare equal.
std::string NormalisePath(std::string_view encoded) {
  // Every request's path comes here twice (the proof's htu, the request's):
  // one with no percent-encoding and no dot segment is already normal.
  if (encoded.find('%') == std::string_view::npos && encoded.find("/.") == std::string_view::npos) {
    return encoded.empty() ? "/" : std::string(encoded);
  }
  std::string path;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%' || i + 2 >= encoded.size()) {
      path += encoded[i];
      continue;
    }
    const std::string hex = {static_cast<char>(std::toupper(encoded[i + 1])),
                             static_cast<char>(std::toupper(encoded[i + 2]))};
    unsigned value = 0;
    auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
    if (error != std::errc() || end != hex.data() + hex.size()) {
      path += encoded[i];
      continue;
    }
    const auto octet = static_cast<char>(value);
    path += Unreserved(octet) ? std::string(1, octet) : "%" + hex;
    i += 2;
  }
  std::vector<std::string_view> kept;
  std::string_view rest(path);
  if (rest.starts_with('/')) rest.remove_prefix(1);
  while (true) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (segment != ".") {
      kept.push_back(segment);
    }
    if (last) {
      // A path ending in a dot segment ends as a directory: "/a/b/.." is "/a/".
      if (segment == "." || segment == "..") kept.emplace_back();
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  std::string out;
  for (const std::string_view segment : kept) out += "/" + std::string(segment);
  return out.empty() ? "/" : out;
}

// A JSON object from a base64url segment, or nullopt. Security: a member
// named twice is refused (RFC 7515 §4 allows that or last-wins; a proof read
// one way here and another by the client's library must not pass).
std::optional<json::object> DecodeObject(std::string_view segment) {
  auto bytes = crypto::Base64UrlDecode(segment);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  json::value value = json::parse(crypto::AsText(*bytes), ec);
  if (ec || !value.is_object() || RepeatedJsonKey(crypto::AsText(*bytes))) return std::nullopt;
  return std::move(value.as_object());
}

const json::string* StringField(const json::object& object, std::string_view name) {
  auto it = object.find(name);
  return it != object.end() && it->value().is_string() ? &it->value().as_string() : nullptr;
}

std::optional<int64_t> IntegerField(const json::object& object, std::string_view name) {
  auto it = object.find(name);
  if (it == object.end()) return std::nullopt;
  const json::value& v = it->value();
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v.as_uint64());
  }
  return std::nullopt;  // fractions, strings and the rest are refused
}

}  // namespace

std::string JwkThumbprint(std::string_view x, std::string_view y) {
  // RFC 7638 §3.2: the required members only, in lexicographic order, no spaces.
  std::string canonical = R"({"crv":"P-256","kty":"EC","x":")" + std::string(x) + R"(","y":")" +
                          std::string(y) + R"("})";
  return crypto::Base64UrlEncode(crypto::Sha256(canonical));
}

std::string AccessTokenHash(std::string_view access_token) {
  return crypto::Base64UrlEncode(crypto::Sha256(access_token));
}

std::optional<std::string> NormaliseHtu(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::nullopt;
  std::string scheme = Lower(parsed->scheme());
  if ((scheme != "http" && scheme != "https") || !parsed->has_authority() ||
      parsed->has_userinfo() || parsed->encoded_host().empty()) {
    return std::nullopt;
  }
  std::string port(parsed->port());
  if ((scheme == "https" && port == "443") || (scheme == "http" && port == "80")) port.clear();
  std::string path = NormalisePath(parsed->encoded_path());
  return scheme + "://" + Lower(parsed->encoded_host()) + (port.empty() ? "" : ":" + port) + path;
}

Result<DpopProof> VerifyDpopProof(std::string_view proof, const DpopRequest& request,
                                  const DpopPolicy& policy) {
  return VerifyDpopProof(proof, request, policy, nullptr);
}

Result<DpopProof> VerifyDpopProof(std::string_view proof, const DpopRequest& request,
                                  const DpopPolicy& policy, DpopKeyCache* keys) {
  if (proof.empty()) return std::unexpected(Invalid("missing"));
  if (proof.size() > policy.max_proof_bytes) return std::unexpected(Invalid("too long"));
  size_t first = proof.find('.');
  size_t second = first == std::string_view::npos ? first : proof.find('.', first + 1);
  if (second == std::string_view::npos || proof.find('.', second + 1) != std::string_view::npos) {
    return std::unexpected(Invalid("not a compact JWS"));
  }
  std::string_view header_part = proof.substr(0, first);
  std::string_view payload_part = proof.substr(first + 1, second - first - 1);
  std::string_view signature_part = proof.substr(second + 1);

  std::optional<json::object> header = DecodeObject(header_part);
  if (!header) return std::unexpected(Invalid("header is not base64url JSON"));
  const json::string* typ = StringField(*header, "typ");
  if (typ == nullptr || *typ != "dpop+jwt") return std::unexpected(Invalid("typ must be dpop+jwt"));
  const json::string* alg = StringField(*header, "alg");
  if (alg == nullptr || *alg != "ES256") return std::unexpected(Invalid("alg must be ES256"));
  if (header->contains("crit")) return std::unexpected(Invalid("crit is not supported"));
  auto jwk_it = header->find("jwk");
  if (jwk_it == header->end() || !jwk_it->value().is_object()) {
    return std::unexpected(Invalid("jwk missing"));
  }
  const json::object& jwk = jwk_it->value().as_object();
  const json::string* kty = StringField(jwk, "kty");
  const json::string* crv = StringField(jwk, "crv");
  const json::string* x = StringField(jwk, "x");
  const json::string* y = StringField(jwk, "y");
  if (kty == nullptr || *kty != "EC" || crv == nullptr || *crv != "P-256" || x == nullptr ||
      y == nullptr) {
    return std::unexpected(Invalid("jwk must be an EC P-256 public key"));
  }
  // Security: a proof carrying its private key is a client bug that exposed
  // the key; the key can no longer prove anything.
  if (jwk.contains("d")) return std::unexpected(Invalid("jwk holds a private key"));
  auto x_bytes = crypto::Base64UrlDecode(*x);
  auto y_bytes = crypto::Base64UrlDecode(*y);
  if (!x_bytes || !y_bytes) return std::unexpected(Invalid("jwk coordinates are not base64url"));
  bool kept = false;
  auto found = keys != nullptr ? keys->Get(*x_bytes, *y_bytes, &kept)
                               : DpopKeyCache::Parse(*x_bytes, *y_bytes);
  if (!found) return std::unexpected(Invalid("jwk is not a P-256 point"));
  std::shared_ptr<const CachedDpopKey> key = std::move(*found);

  auto signature = crypto::Base64UrlDecode(signature_part);
  std::string_view signing_input = proof.substr(0, second);
  if (!signature || !key->key.Verify(crypto::AsBytes(signing_input), *signature)) {
    return std::unexpected(Invalid("bad signature"));
  }

  std::optional<json::object> payload = DecodeObject(payload_part);
  if (!payload) return std::unexpected(Invalid("payload is not base64url JSON"));
  const json::string* jti = StringField(*payload, "jti");
  if (jti == nullptr || jti->empty() || jti->size() > 256) {
    return std::unexpected(Invalid("jti missing"));
  }
  const json::string* htm = StringField(*payload, "htm");
  if (htm == nullptr || *htm != request.method) {
    return std::unexpected(Invalid("htm does not match the request method"));
  }
  const json::string* htu = StringField(*payload, "htu");
  std::optional<std::string> claimed = htu ? NormaliseHtu(*htu) : std::nullopt;
  std::optional<std::string> actual = NormaliseHtu(request.url);
  if (!claimed || !actual || *claimed != *actual) {
    return std::unexpected(Invalid("htu does not match the request URL"));
  }
  std::optional<int64_t> iat = IntegerField(*payload, "iat");
  if (!iat) return std::unexpected(Invalid("iat missing"));
  if (*iat < request.now - policy.max_age_seconds) return std::unexpected(Invalid("iat too old"));
  if (*iat > request.now + policy.max_future_seconds) {
    return std::unexpected(Invalid("iat in the future"));
  }
  if (request.access_token) {
    const json::string* ath = StringField(*payload, "ath");
    std::string expected = AccessTokenHash(*request.access_token);
    if (ath == nullptr || !crypto::ConstantTimeEquals(crypto::AsBytes(std::string_view(*ath)),
                                                      crypto::AsBytes(expected))) {
      return std::unexpected(Invalid("ath does not match the access token"));
    }
  }
  // Not kept here: the caller keeps it once the proof's credential checks
  // too, so made-up keys cannot push the keys in use out of the cache.
  DpopProof checked{key->jkt, std::string(*jti), *iat, nullptr};
  if (keys != nullptr && !kept) checked.key_to_keep = std::move(key);
  return checked;
}

Error InvalidDpopProof(std::string_view why) {
  return Error(ErrorCode::kUnauthenticated, std::string(kInvalidProof) + std::string(why));
}

bool IsInvalidDpopProof(const Error& error) {
  return error.code() == ErrorCode::kUnauthenticated && error.message().starts_with(kInvalidProof);
}

std::string ProofIdentity(const DpopProof& proof) {
  return proof.jti + "\n" + std::to_string(proof.iat);
}

Result<int64_t> ReplayRememberTime(const DpopProof& proof, const DpopPolicy& policy,
                                   int64_t checked_at, int64_t now) {
  const int64_t at = std::max(checked_at, now);
  // The same bound as VerifyDpopProof's "iat too old".
  if (proof.iat < at - policy.max_age_seconds) {
    return std::unexpected(InvalidDpopProof("it expired while the request was handled"));
  }
  return at;
}

}  // namespace vigie::session
