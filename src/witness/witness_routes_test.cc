// The witness's HTTP API: what it answers, and refusals that say why and
// change nothing. (The witness's own rules: witness_test.cc.)

#include "witness/witness_routes.h"

#include <boost/json.hpp>

#include "crypto/hash.h"
#include "http/server.h"
#include "witness/witness_test_fixture.h"

namespace vigie::witness {
namespace {

using ::vigie::testing::ErrorCodeIs;

class WitnessRoutesTest : public WitnessTest {
 protected:
  http::Response Post(std::string body, std::string content_type = "application/json") {
    http::Request request{.method = "POST", .target = "/v1/checkpoints", .body = std::move(body)};
    request.headers.emplace_back("Content-Type", std::move(content_type));
    return WitnessHandler(*witness_)(request);
  }
  std::string Body(const audit::Checkpoint& checkpoint, uint64_t from,
                   const std::vector<audit::Sha256Digest>& proof) {
    return boost::json::serialize(SubmissionJson(Signed(checkpoint, from, proof)));
  }
};

TEST_F(WitnessRoutesTest, LatestNamesTheKeyAndTheHeldCosignature) {
  http::Request get{.method = "GET", .target = "/v1/latest"};
  auto empty = boost::json::parse(WitnessHandler(*witness_)(get).body).as_object();
  EXPECT_EQ(empty["witness_public_key"].as_string(), crypto::HexEncode(witness_public_key_));
  EXPECT_TRUE(empty["cosignature"].is_null());
  log_.Append(2);
  EXPECT_EQ(Post(Body(log_.Checkpoint(), 0, {})).status, 200);
  auto held = boost::json::parse(WitnessHandler(*witness_)(get).body).as_object();
  auto cosignature = CosignatureFromJson(held["cosignature"]);
  ASSERT_OK(cosignature);
  EXPECT_TRUE(CosignatureValid(*cosignature, witness_public_key_));
}

TEST_F(WitnessRoutesTest, LogKeysListsTheKeysItAcceptsRetiredOnesMarked) {
  LogKey retired = FakeLog(/*key_id=*/3).Key();
  retired.retired_after = 12;
  const auto dir = dir_.path() / "witness-of-two-keys";
  ASSERT_OK(Witness::Init(dir, std::vector<LogKey>{log_.Key(), retired}));
  auto witness = Witness::Open(dir, clock_);
  ASSERT_OK(witness);
  http::Request get{.method = "GET", .target = "/v1/log-keys"};
  http::Response listed = WitnessHandler(**witness)(get);
  ASSERT_EQ(listed.status, 200);
  auto lines = boost::json::parse(listed.body).as_object()["log_keys"].as_array();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].as_string(), LogKeyLine(log_.Key()));
  EXPECT_EQ(lines[1].as_string(), LogKeyLine(retired));
  http::Request post{.method = "POST", .target = "/v1/log-keys"};
  http::Response refused = WitnessHandler(**witness)(post);
  EXPECT_EQ(refused.status, 405);
  ASSERT_EQ(refused.headers.size(), 1u);
  EXPECT_EQ(refused.headers[0].second, "GET, HEAD");
}

TEST_F(WitnessRoutesTest, ASubmissionRoundTripsThroughItsJson) {
  log_.Append(9);
  const Submission sent = Signed(log_.Checkpoint(), 4, log_.ProofFrom(4));
  auto parsed = ParseSubmission(boost::json::serialize(SubmissionJson(sent)));
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->checkpoint, sent.checkpoint);
  EXPECT_EQ(parsed->from_size, 4u);
  EXPECT_EQ(parsed->consistency_proof, sent.consistency_proof);
  EXPECT_EQ(parsed->signature, sent.signature);
  EXPECT_TRUE(SubmissionSignatureValid(*parsed, log_.Key().public_key));
}

TEST_F(WitnessRoutesTest, RefusalsSayWhyAndChangeNothing) {
  log_.Append(4);
  const std::string good = Body(log_.Checkpoint(), 0, {});
  EXPECT_EQ(Post("{not json").status, 400);
  EXPECT_EQ(Post("[]").status, 400);
  EXPECT_EQ(Post(good, "text/plain").status, 400);
  std::string unknown = good;
  unknown.insert(1, "\"extra\":1,");
  EXPECT_EQ(Post(unknown).status, 400);
  std::string wrong_type = good;
  wrong_type.replace(wrong_type.find("\"from_size\":0"), 13, "\"from_size\":\"0\"");
  EXPECT_EQ(Post(wrong_type).status, 400);
  EXPECT_EQ(Post("{\"checkpoint\":{},\"from_size\":0,\"consistency_proof\":[]}").status, 400);
  EXPECT_EQ(Post(std::string(kMaxSubmissionBytes + 1, ' ')).status, 400);
  EXPECT_EQ(Post(Body(FakeLog().Checkpoint(), 0, {})).status, 403);
  auto unsigned_body = boost::json::parse(good).as_object();
  unsigned_body.erase("signature");
  EXPECT_EQ(Post(boost::json::serialize(unsigned_body)).status, 403) << "extends: must be signed";
  for (const char* signature : {"", "bm90IDY0IGJ5dGVz", "*not base64*"}) {
    auto body = boost::json::parse(good).as_object();
    body["signature"] = signature;
    EXPECT_EQ(Post(boost::json::serialize(body)).status, 400) << signature;
  }
  auto foreign = boost::json::parse(good).as_object();
  foreign["signature"] = crypto::Base64Encode(crypto::Ed25519KeyPair::Generate().Sign("x"));
  EXPECT_EQ(Post(boost::json::serialize(foreign)).status, 403);
  EXPECT_EQ(StoredLines(), 0u);

  ASSERT_EQ(Post(good).status, 200);
  log_.Append(4);
  http::Response stale = Post(Body(log_.Checkpoint(), 1, {}));
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(boost::json::parse(stale.body).as_object()["latest_size"].as_int64(), 4);
  FakeLog fork(1, " forked");
  fork.Append(8);
  audit::Checkpoint forked = fork.Checkpoint();
  audit::SignCheckpoint(log_.signing_key(), forked);
  EXPECT_EQ(Post(Body(forked, 4, fork.ProofFrom(4))).status, 422);
  EXPECT_EQ(StoredLines(), 1u);
  http::Request wrong_method{.method = "DELETE", .target = "/v1/checkpoints"};
  http::Response not_allowed = WitnessHandler(*witness_)(wrong_method);
  EXPECT_EQ(not_allowed.status, 405);
  ASSERT_EQ(not_allowed.headers.size(), 1u);
  EXPECT_EQ(not_allowed.headers[0], (std::pair<std::string, std::string>{"Allow", "POST"}));
}

// The witness's store rotated away: its own failure, a 500 that names no
// path, never the 422 its submitter would read as a fork of the log.
TEST_F(WitnessRoutesTest, AStoreMovedAwayIsTheWitnessFailureNotAFork) {
  log_.Append(3);
  ASSERT_EQ(Post(Body(log_.Checkpoint(), 0, {})).status, 200);
  const auto store = dir_.path() / "witness" / "cosignatures.jsonl";
  std::filesystem::rename(store, dir_.path() / "witness" / "cosignatures.jsonl.1");
  log_.Append(4);
  http::Response refused = Post(Body(log_.Checkpoint(), 3, log_.ProofFrom(3)));
  EXPECT_EQ(refused.status, 500);
  EXPECT_EQ(refused.body.find("cosignatures"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace vigie::witness
