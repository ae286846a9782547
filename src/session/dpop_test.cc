#include "session/dpop.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <functional>

#include "crypto/crypto.h"
#include "session/dpop_key_cache.h"
#include "session/replay_cache.h"
#include "tests/support/matchers.h"

namespace vigie::session {
namespace {

namespace json = boost::json;
using crypto::Base64UrlEncode;
using ::vigie::testing::ErrorCodeIs;

constexpr int64_t kNow = 1'800'000'000;
constexpr std::string_view kUrl = "https://vigie.example/api/v1/search";

std::string B64uJson(const json::value& v) { return Base64UrlEncode(crypto::AsBytes(json::serialize(v))); }

json::object PublicJwk(const crypto::Es256PrivateKey& key) {
  return {{"kty", "EC"},
          {"crv", "P-256"},
          {"x", Base64UrlEncode(key.public_key().x())},
          {"y", Base64UrlEncode(key.public_key().y())}};
}

// A proof made by hand, so each test can break exactly one thing.
struct ProofParts {
  json::object header;
  json::object payload;
};

ProofParts GoodParts(const crypto::Es256PrivateKey& key, std::string_view token = "") {
  ProofParts parts;
  parts.header = {{"typ", "dpop+jwt"}, {"alg", "ES256"}, {"jwk", PublicJwk(key)}};
  parts.payload = {{"jti", "e1j3V_bKic8-LAEB"}, {"htm", "POST"}, {"htu", kUrl}, {"iat", kNow}};
  if (!token.empty()) parts.payload["ath"] = AccessTokenHash(token);
  return parts;
}

std::string Sign(const crypto::Es256PrivateKey& key, const ProofParts& parts) {
  std::string input = B64uJson(parts.header) + "." + B64uJson(parts.payload);
  return input + "." + Base64UrlEncode(key.Sign(crypto::AsBytes(input)));
}

DpopRequest Request(std::optional<std::string_view> token = std::nullopt) {
  return {.method = "POST", .url = kUrl, .access_token = token, .now = kNow};
}

TEST(DpopTest, AcceptsAWellFormedProofAndReportsTheKeyThumbprint) {
  auto key = crypto::Es256PrivateKey::Generate();
  auto proof = VerifyDpopProof(Sign(key, GoodParts(key, "token-1")), Request("token-1"));
  ASSERT_OK(proof);
  EXPECT_EQ(proof->jti, "e1j3V_bKic8-LAEB");
  EXPECT_EQ(proof->iat, kNow);
  EXPECT_EQ(proof->jkt, JwkThumbprint(Base64UrlEncode(key.public_key().x()),
                                      Base64UrlEncode(key.public_key().y())));
}

// RFC 7638 §3.1's example is RSA; this P-256 thumbprint is checked against
// jose's calculateJwkThumbprint in AgreesWithJose below.
TEST(DpopTest, ThumbprintIsTheSha256OfTheCanonicalJwk) {
  std::string expected = Base64UrlEncode(crypto::Sha256(
      std::string_view(R"({"crv":"P-256","kty":"EC","x":"AAA","y":"BBB"})")));
  EXPECT_EQ(JwkThumbprint("AAA", "BBB"), expected);
}

TEST(DpopTest, EachBrokenCheckIsRefused) {
  auto key = crypto::Es256PrivateKey::Generate();
  auto other = crypto::Es256PrivateKey::Generate();
  struct Case {
    const char* name;
    std::function<void(ProofParts&)> breaks;
  };
  const Case cases[] = {
      {"typ", [](ProofParts& p) { p.header["typ"] = "JWT"; }},
      {"alg", [](ProofParts& p) { p.header["alg"] = "HS256"; }},
      {"alg none", [](ProofParts& p) { p.header["alg"] = "none"; }},
      {"crit", [](ProofParts& p) { p.header["crit"] = json::array{"x"}; }},
      {"no jwk", [](ProofParts& p) { p.header.erase("jwk"); }},
      {"rsa jwk", [](ProofParts& p) { p.header["jwk"].as_object()["kty"] = "RSA"; }},
      {"private jwk", [](ProofParts& p) { p.header["jwk"].as_object()["d"] = "AAAA"; }},
      {"other key", [&](ProofParts& p) { p.header["jwk"] = PublicJwk(other); }},
      {"no jti", [](ProofParts& p) { p.payload.erase("jti"); }},
      {"empty jti", [](ProofParts& p) { p.payload["jti"] = ""; }},
      {"method", [](ProofParts& p) { p.payload["htm"] = "GET"; }},
      {"url", [](ProofParts& p) { p.payload["htu"] = "https://vigie.example/api/v1/persons"; }},
      {"host", [](ProofParts& p) { p.payload["htu"] = "https://evil.example/api/v1/search"; }},
      {"scheme", [](ProofParts& p) { p.payload["htu"] = "http://vigie.example/api/v1/search"; }},
      {"stale iat", [](ProofParts& p) { p.payload["iat"] = kNow - 61; }},
      {"future iat", [](ProofParts& p) { p.payload["iat"] = kNow + 6; }},
      {"string iat", [](ProofParts& p) { p.payload["iat"] = std::to_string(kNow); }},
      {"fractional iat", [](ProofParts& p) { p.payload["iat"] = kNow + 0.5; }},
      {"no ath", [](ProofParts& p) { p.payload.erase("ath"); }},
      {"other ath", [](ProofParts& p) { p.payload["ath"] = AccessTokenHash("token-2"); }},
  };
  // With a key cache that already holds the signing key, every check still applies.
  DpopKeyCache keys;
  auto first = VerifyDpopProof(Sign(key, GoodParts(key, "token-1")), Request("token-1"), {}, &keys);
  ASSERT_OK(first);
  keys.Remember(first->key_to_keep);
  ASSERT_EQ(keys.size(), 1u);
  for (const Case& c : cases) {
    ProofParts parts = GoodParts(key, "token-1");
    c.breaks(parts);
    for (DpopKeyCache* cache : {static_cast<DpopKeyCache*>(nullptr), &keys}) {
      auto proof = VerifyDpopProof(Sign(key, parts), Request("token-1"), {}, cache);
      EXPECT_FALSE(proof.has_value()) << c.name << (cache ? " (cached key)" : "");
      if (!proof) {
        EXPECT_EQ(proof.error().code(), ErrorCode::kUnauthenticated) << c.name;
        EXPECT_TRUE(IsInvalidDpopProof(proof.error())) << c.name;  // "sign a new proof"
      }
    }
  }
}

TEST(DpopTest, TamperedOrMalformedProofsAreRefused) {
  auto key = crypto::Es256PrivateKey::Generate();
  std::string good = Sign(key, GoodParts(key));
  std::string swapped_payload = good;
  {  // a payload from another proof under this signature
    ProofParts parts = GoodParts(key);
    parts.payload["htu"] = "https://vigie.example/api/v1/persons/1";
    std::string other = Sign(key, parts);
    size_t a = good.find('.'), b = good.rfind('.');
    size_t oa = other.find('.'), ob = other.rfind('.');
    swapped_payload = good.substr(0, a + 1) + other.substr(oa + 1, ob - oa - 1) + good.substr(b);
  }
  for (const std::string& bad :
       {std::string(""), std::string("a.b"), std::string("a.b.c.d"), good + "x", good + ".x",
        std::string("!!!") + good, swapped_payload, std::string(5000, 'a')}) {
    auto proof = VerifyDpopProof(bad, Request());
    ASSERT_FALSE(proof.has_value()) << bad.substr(0, 40);
    EXPECT_TRUE(IsInvalidDpopProof(proof.error())) << bad.substr(0, 40);
  }
}

// Only a proof's refusal reads as one: the API answers the others with
// "invalid_token" (get a new token) rather than "invalid_dpop_proof".
TEST(DpopTest, OnlyAProofsRefusalIsRecognisedAsOne) {
  EXPECT_TRUE(IsInvalidDpopProof(InvalidDpopProof("jti already used")));
  EXPECT_FALSE(IsInvalidDpopProof(Error(ErrorCode::kUnauthenticated, "session expired")));
  // The wording alone under another code is no proof refusal.
  EXPECT_FALSE(
      IsInvalidDpopProof(Error(ErrorCode::kInvalidArgument, InvalidDpopProof("x").message())));
}

// Checking a proof keeps nothing: a good proof hands its key back for the
// caller to keep once the credential checks too (anyone can make keys and
// sign good proofs), a forged one nothing; a kept key is not handed back.
TEST(DpopTest, AProofHandsBackItsKeyToKeepAndKeepsNothingItself) {
  DpopKeyCache keys;
  auto key = crypto::Es256PrivateKey::Generate();
  std::string forged = Sign(key, GoodParts(key));
  char& inside = forged[forged.size() - 10];  // within the signature, clear of its padding bits
  inside = inside == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyDpopProof(forged, Request(), {}, &keys).has_value());
  auto good = VerifyDpopProof(Sign(key, GoodParts(key)), Request(), {}, &keys);
  ASSERT_OK(good);
  EXPECT_EQ(keys.size(), 0u);
  ASSERT_NE(good->key_to_keep, nullptr);
  EXPECT_EQ(good->key_to_keep->jkt, good->jkt);
  keys.Remember(good->key_to_keep);
  EXPECT_EQ(keys.size(), 1u);
  auto again = VerifyDpopProof(Sign(key, GoodParts(key)), Request(), {}, &keys);
  ASSERT_OK(again);
  EXPECT_EQ(again->key_to_keep, nullptr) << "already kept";
  EXPECT_EQ(again->jkt, good->jkt);
  auto uncached = VerifyDpopProof(Sign(key, GoodParts(key)), Request());
  ASSERT_OK(uncached);
  EXPECT_EQ(uncached->key_to_keep, nullptr) << "no cache, nothing to keep";
}

// A member named twice reads differently to last-wins and first-wins
// parsers: refused in the header and in the payload, even when signed.
TEST(DpopTest, AMemberNamedTwiceIsRefused) {
  auto key = crypto::Es256PrivateKey::Generate();
  const ProofParts parts = GoodParts(key);
  auto sign_text = [&](const std::string& header, const std::string& payload) {
    std::string input =
        Base64UrlEncode(crypto::AsBytes(header)) + "." + Base64UrlEncode(crypto::AsBytes(payload));
    return input + "." + Base64UrlEncode(key.Sign(crypto::AsBytes(input)));
  };
  const std::string header = json::serialize(parts.header);
  const std::string payload = json::serialize(parts.payload);
  ASSERT_OK(VerifyDpopProof(sign_text(header, payload), Request()));
  // {"htm":"GET", ...the good payload with "htm":"POST"}: POST to a last-wins reader.
  const std::string twice_htm = R"({"htm":"GET",)" + payload.substr(1);
  EXPECT_FALSE(VerifyDpopProof(sign_text(header, twice_htm), Request()).has_value());
  const std::string twice_typ = R"({"typ":"JWT",)" + header.substr(1);
  EXPECT_FALSE(VerifyDpopProof(sign_text(twice_typ, payload), Request()).has_value());
}

// A proof signed anew with the jti of the one that spent a refresh token is
// another request (a reuse), unless it has that one's iat too, and then it
// is accepted only while that one was.
TEST(DpopTest, AProofIsKnownByItsJtiAndItsIat) {
  const DpopProof spent{.jkt = "k", .jti = "j-1", .iat = 1'800'000'000};
  DpopProof again = spent;
  EXPECT_EQ(ProofIdentity(again), ProofIdentity(spent));
  again.iat += 120;
  EXPECT_NE(ProofIdentity(again), ProofIdentity(spent));
  again = spent;
  again.jti = "j-2";
  EXPECT_NE(ProofIdentity(again), ProofIdentity(spent));
}

TEST(DpopTest, UrlsCompareAfterNormalisation) {
  EXPECT_EQ(NormaliseHtu("HTTPS://Vigie.Example:443/api/v1/search?q=1#f"),
            "https://vigie.example/api/v1/search");
  EXPECT_EQ(NormaliseHtu("http://127.0.0.1:8080"), "http://127.0.0.1:8080/");
  EXPECT_EQ(NormaliseHtu("http://127.0.0.1:80/x"), "http://127.0.0.1/x");
  EXPECT_FALSE(NormaliseHtu("/api/v1/search").has_value());
  EXPECT_FALSE(NormaliseHtu("ftp://vigie.example/x").has_value());
  EXPECT_FALSE(NormaliseHtu("https://user@vigie.example/x").has_value());
  // Two spellings of one path (RFC 3986 §6.2.2): hex case, unreserved
  // characters encoded or not, dot segments.
  EXPECT_EQ(NormaliseHtu("https://v.example/agents/GN%2d1"), "https://v.example/agents/GN-1");
  EXPECT_EQ(NormaliseHtu("https://v.example/a%2fb"), "https://v.example/a%2Fb");
  EXPECT_EQ(NormaliseHtu("https://v.example/api/v1/x/../search"),
            "https://v.example/api/v1/search");
  EXPECT_EQ(NormaliseHtu("https://v.example/api/./v1/search"), "https://v.example/api/v1/search");
  EXPECT_EQ(NormaliseHtu("https://v.example/a/b/.."), "https://v.example/a/");
  EXPECT_EQ(NormaliseHtu("https://v.example/a/%2e%2E/../b"), "https://v.example/b");
  EXPECT_EQ(NormaliseHtu("https://v.example/a//b/%7e"), "https://v.example/a//b/~");
  EXPECT_EQ(NormaliseHtu("https://v.example/a%c3%a9"), "https://v.example/a%C3%A9");
  // Reserved characters stay as they are: "/" encoded is not a separator.
  EXPECT_NE(NormaliseHtu("https://v.example/a%2Fb"), NormaliseHtu("https://v.example/a/b"));
}

TEST(DpopReplayCacheTest, AJtiWorksOnceUntilItCouldNoLongerBeAccepted) {
  DpopReplayCache cache(/*remember_seconds=*/65, /*capacity=*/3);
  EXPECT_OK(cache.Use("key-a", "jti-1", kNow));
  auto again = cache.Use("key-a", "jti-1", kNow + 10);
  ASSERT_FALSE(again.has_value());
  EXPECT_TRUE(IsInvalidDpopProof(again.error()));
  EXPECT_OK(cache.Use("key-b", "jti-1", kNow));  // same jti, other key
  EXPECT_OK(cache.Use("key-a", "jti-2", kNow));
  auto full = cache.Use("key-a", "jti-3", kNow);
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().code(), ErrorCode::kResourceExhausted);
  // The old pairs expired, and were forgotten a lag after.
  EXPECT_OK(cache.Use("key-a", "jti-3", kNow + 66 + kReplayForgetLagSeconds));
  EXPECT_EQ(cache.size(), 1u);
}

// One node's memory (SQLite) is emptied by a restart: a proof the process
// before may have accepted - made before the new one started, or dated up
// to the tolerated skew after its last second by a client whose clock is
// ahead - is refused, with a wait after which a new proof passes.
TEST(DpopReplayCacheTest, AloneItRefusesProofsThePreviousProcessMayHaveAccepted) {
  const DpopPolicy policy;
  const int64_t started_at = kNow;
  const DpopReplayCache alone(65, 16, 0, AcceptFrom(started_at, policy.max_future_seconds));
  // The process before stopped at most at started_at, having accepted
  // proofs dated up to then + max_future_seconds.
  for (int64_t iat : {kNow - 30, kNow - 1, kNow, kNow + policy.max_future_seconds}) {
    auto refused = alone.CheckMadeSinceBegun(iat);
    ASSERT_FALSE(refused.has_value()) << iat - kNow;
    EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable) << iat - kNow;
    EXPECT_FALSE(IsInvalidDpopProof(refused.error()));  // not the end of a session
  }
  EXPECT_OK(alone.CheckMadeSinceBegun(kNow + policy.max_future_seconds + 1));
  EXPECT_EQ(alone.SecondsUntilAccepting(kNow), policy.max_future_seconds + 1);
  EXPECT_EQ(alone.SecondsUntilAccepting(kNow + policy.max_future_seconds), 1);
  EXPECT_EQ(alone.SecondsUntilAccepting(kNow + 60), 1);
  // Beside a shared guard, the database remembers across restarts.
  const DpopReplayCache beside_shared(65, 16);
  EXPECT_OK(beside_shared.CheckMadeSinceBegun(kNow - 30));
  EXPECT_EQ(beside_shared.SecondsUntilAccepting(kNow), 1);
}

// A proof is acceptable from iat - max_future to iat + max_age, both ends
// included. Used first at the start of that window, it must still be
// refused as a replay at its very end.
TEST(DpopReplayCacheTest, AProofIsRememberedThroughTheLastSecondItIsAcceptable) {
  const DpopPolicy policy;
  const crypto::Es256PrivateKey key = crypto::Es256PrivateKey::Generate();
  ProofParts parts = GoodParts(key);
  parts.payload["iat"] = kNow + policy.max_future_seconds;
  const std::string proof = Sign(key, parts);
  DpopReplayCache cache(policy.max_age_seconds + policy.max_future_seconds, /*capacity=*/8);
  DpopRequest request = Request();
  auto first = VerifyDpopProof(proof, request, policy);
  ASSERT_OK(first);
  ASSERT_OK(cache.Use(first->jkt, first->jti, request.now));
  request.now = kNow + policy.max_future_seconds + policy.max_age_seconds;
  auto last = VerifyDpopProof(proof, request, policy);
  ASSERT_OK(last);  // the proof itself is still fresh enough
  EXPECT_THAT(cache.Use(last->jkt, last->jti, request.now),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  request.now += 1;
  EXPECT_FALSE(VerifyDpopProof(proof, request, policy).has_value());  // too old from here on
}

TEST(DpopReplayCacheTest, CheckingAPairDoesNotRecordIt) {
  DpopReplayCache cache(/*remember_seconds=*/65, /*capacity=*/3);
  EXPECT_OK(cache.CheckUnused("key-a", "jti-1", kNow));
  EXPECT_OK(cache.CheckUnused("key-a", "jti-1", kNow));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_OK(cache.Use("key-a", "jti-1", kNow));
  EXPECT_THAT(cache.CheckUnused("key-a", "jti-1", kNow + 65),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_OK(cache.CheckUnused("key-a", "jti-1", kNow + 66 + kReplayForgetLagSeconds));
  EXPECT_OK(cache.CheckUnused("key-b", "jti-1", kNow));
}

// A request that checked its proof in the proof's last acceptable second,
// then was slow: meanwhile a faster request, a second later by its clock,
// made the cache forget what had expired. The slow one must still find the
// proof's first use, and a proof that expired meanwhile is not remembered.
TEST(DpopReplayCacheTest, ASlowRequestStillFindsItsProofsFirstUse) {
  const DpopPolicy policy;
  const int64_t remember = policy.max_age_seconds + policy.max_future_seconds;
  DpopReplayCache cache(remember, /*capacity=*/8);
  const DpopProof proof{.jkt = "key-a", .jti = "jti-1", .iat = kNow + policy.max_future_seconds};
  ASSERT_OK(cache.Use(proof.jkt, proof.jti, kNow));                // the first use, at once
  const int64_t checked_at = kNow + remember;                      // the replay, checked in time
  EXPECT_OK(cache.CheckUnused("key-b", "jti-9", checked_at + 1));  // another, faster
  auto at = ReplayRememberTime(proof, policy, checked_at, checked_at);
  ASSERT_OK(at);
  EXPECT_THAT(cache.Use(proof.jkt, proof.jti, *at), ErrorCodeIs(ErrorCode::kUnauthenticated));
  // Remembered a second later than checked: no longer acceptable, refused.
  EXPECT_THAT(ReplayRememberTime(proof, policy, checked_at, checked_at + 1),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  // A clock gone back counts from the check.
  EXPECT_EQ(ReplayRememberTime(proof, policy, checked_at, checked_at - 3).value_or(0), checked_at);
}

TEST(DpopReplayCacheTest, OneKeyCannotTakeMoreThanItsShare) {
  DpopReplayCache cache(/*remember_seconds=*/65, /*capacity=*/10, /*per_key=*/2);
  EXPECT_OK(cache.Use("flood", "jti-1", kNow));
  EXPECT_OK(cache.Use("flood", "jti-2", kNow));
  auto over = cache.Use("flood", "jti-3", kNow);
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_OK(cache.Use("other", "jti-1", kNow));  // everyone else is still served
  EXPECT_OK(cache.Use("other", "jti-2", kNow));
  EXPECT_OK(cache.Use("flood", "jti-3", kNow + 66 + kReplayForgetLagSeconds));  // expired
  EXPECT_EQ(cache.size(), 1u);
}

// jose (npm) makes the proofs: an implementation independent of ours.
json::object JoseProof(const std::string& method, const std::string& url,
                       const std::string& token, int iat_offset = 0) {
  std::string command = "node " VIGIE_SOURCE_DIR "/tests/clients/dpop-proof.mjs '" + method +
                        "' '" + url + "' '" + token + "' " + std::to_string(iat_offset) + " 2>&1";
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    ::pclose(pipe);
  }
  boost::system::error_code ec;
  json::value value = json::parse(out, ec);
  EXPECT_FALSE(ec) << "jose client failed (run `npm ci` in tests): " << out;
  return ec || !value.is_object() ? json::object{} : value.as_object();
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(DpopTest, AgreesWithJose) {
  json::object made = JoseProof("POST", std::string(kUrl), "token-1");
  ASSERT_TRUE(made.contains("proof"));
  std::string proof(made["proof"].as_string());
  DpopRequest request{.method = "POST", .url = kUrl, .access_token = "token-1", .now = UnixNow()};
  auto verified = VerifyDpopProof(proof, request);
  ASSERT_OK(verified);
  EXPECT_EQ(verified->jkt, std::string(made["jkt"].as_string()));
  // The same proof for another URL, another token or much later: refused.
  DpopRequest other_url = request;
  other_url.url = "https://vigie.example/api/v1/persons/7";
  EXPECT_FALSE(VerifyDpopProof(proof, other_url).has_value());
  DpopRequest other_token = request;
  other_token.access_token = "token-2";
  EXPECT_FALSE(VerifyDpopProof(proof, other_token).has_value());
  DpopRequest later = request;
  later.now += 120;
  EXPECT_FALSE(VerifyDpopProof(proof, later).has_value());
  json::object stale = JoseProof("POST", std::string(kUrl), "token-1", -300);
  ASSERT_TRUE(stale.contains("proof"));
  EXPECT_FALSE(VerifyDpopProof(std::string(stale["proof"].as_string()), request).has_value());
}

}  // namespace
}  // namespace vigie::session
