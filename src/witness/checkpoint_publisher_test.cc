// Vigie's checkpoint publisher, over HTTP, against a real audit log and a
// real witness: what it sends, what it keeps, what it takes for a refusal.
#include "witness/checkpoint_publisher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <memory>

#include "audit/audit_log_test_util.h"
#include "audit/merkle_proof.h"
#include "audit/stored_leaf_source.h"
#include "audit/subtree_cache.h"
#include "crypto/signing.h"
#include "http/server.h"
#include "store/test_database.h"
#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"
#include "witness/witness.h"
#include "witness/witness_routes.h"

namespace vigie::witness {
namespace {

using ::vigie::testing::ErrorCodeIs;

// --- Vigie's publisher, over HTTP, against a real audit log ------------------

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const crypto::Ed25519PublicKey log_key = fixture_.PublicKey();
    auto key = Witness::Init(witness_dir_.path(),
                             std::vector<LogKey>{{fixture_.SigningKey().id, log_key}});
    ASSERT_OK(key);
    ServeWitness();
    auto signing_keys = std::make_shared<LogSigningKeys>();
    signing_keys->emplace(fixture_.SigningKey().id,
                          crypto::Ed25519KeyPair::FromSeed(fixture_.SigningKey().bytes()));
    options_ = {.audit_url = fixture_.Options().url,
                .witness_url = witness_url_,
                .witness_public_key = *key,
                .log_signing_keys = std::move(signing_keys),
                .cosignature_file = fixture_.dir() / "cosignatures.jsonl"};
  }

  // Opens the witness of witness_dir_ and serves it (its URL in witness_url_).
  void ServeWitness() {
    server_.reset();
    witness_.reset();
    auto witness = Witness::Open(witness_dir_.path(), clock_);
    ASSERT_OK(witness);
    witness_ = std::move(*witness);
    http::ServerOptions server_options;
    server_options.listen_address = "127.0.0.1";
    server_options.port = 0;
    server_options.access_log = [](std::string_view) {};
    server_ = std::make_unique<http::Server>(server_options, WitnessHandler(*witness_));
    ASSERT_OK(server_->Start());
    witness_url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  // Something at the witness's address that passes reads on to it and
  // answers publications itself with `post`; the publisher is pointed at it.
  std::unique_ptr<http::Server> StartProxy(std::function<http::Response()> post) {
    http::ServerOptions proxy_options;
    proxy_options.listen_address = "127.0.0.1";
    proxy_options.port = 0;
    proxy_options.access_log = [](std::string_view) {};
    auto proxy = std::make_unique<http::Server>(
        proxy_options, [witness = WitnessHandler(*witness_), post](const http::Request& request) {
          return request.method == "GET" ? witness(request) : post();
        });
    EXPECT_OK(proxy->Start());
    options_.witness_url = "http://127.0.0.1:" + std::to_string(proxy->port());
    return proxy;
  }

  // Appends `count` events to the log at `url` (signed with the fixture's key) and closes it.
  void Write(const std::string& url, int count, int64_t agent) {
    audit::AuditLogOptions options = fixture_.Options();
    options.url = url;
    auto log = fixture_.OpenLog(options);
    for (int i = 0; i < count; ++i) {
      ASSERT_OK(log->Append(audit::testing::SearchEvent(agent, {i})));
    }
  }

  Result<std::optional<Cosignature>> Publish(const std::string& url) {
    audit::SubtreeCache cache(1);
    return Publish(url, cache);
  }
  // As the background publisher does: one cache from round to round.
  Result<std::optional<Cosignature>> Publish(const std::string& url, audit::SubtreeCache& cache) {
    auto db = store::Open(url, {.read_only = true});
    if (!db) return Fail(db.error());
    return CheckpointPublisher::PublishOnce(**db, options_, cache);
  }

  audit::testing::AuditLogFixture fixture_;
  vigie::testing::TempDir witness_dir_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'764'000'100))};
  std::unique_ptr<Witness> witness_;
  std::unique_ptr<http::Server> server_;
  std::string witness_url_;
  PublisherOptions options_;
};

TEST_F(PublisherTest, SendsEachNewCheckpointWithItsConsistencyProof) {
  Write(options_.audit_url, 15, 1);  // checkpoints at 10 and 15 (on close)
  auto first = Publish(options_.audit_url);
  ASSERT_OK(first);
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->checkpoint.tree_size, 15u);
  Write(options_.audit_url, 22, 2);
  auto second = Publish(options_.audit_url);
  ASSERT_OK(second);
  EXPECT_EQ((*second)->checkpoint.tree_size, 37u);
  // Nothing new: nothing sent, the held one returned.
  auto third = Publish(options_.audit_url);
  ASSERT_OK(third);
  EXPECT_EQ(**third, **second);

  auto stored = ReadCosignatureFile(options_.cosignature_file);
  ASSERT_OK(stored);
  ASSERT_EQ(stored->size(), 2u);
  for (const Cosignature& cosignature : *stored) {
    EXPECT_TRUE(CosignatureValid(cosignature, options_.witness_public_key));
  }
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 37u);
}

// Only a file not written yet is empty: one there but unreadable (here a
// directory, which even root cannot read as lines) is an error, not "none".
TEST(CosignatureFileTest, AbsentIsEmptyUnreadableIsAnError) {
  vigie::testing::TempDir dir;
  auto none = ReadCosignatureFile(dir / "absent.jsonl");
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
  std::filesystem::create_directory(dir / "unreadable.jsonl");
  EXPECT_THAT(ReadCosignatureFile(dir / "unreadable.jsonl"), ErrorCodeIs(ErrorCode::kDataLoss));
  // A FIFO in its place is refused at once, not read until a writer comes;
  // a link is refused as the writer refuses one.
  ASSERT_EQ(::mkfifo((dir / "fifo.jsonl").c_str(), 0600), 0);
  EXPECT_THAT(ReadCosignatureFile(dir / "fifo.jsonl"), ErrorCodeIs(ErrorCode::kDataLoss));
  std::ofstream(dir / "real.jsonl").close();
  ASSERT_OK(ReadCosignatureFile(dir / "real.jsonl"));
  std::filesystem::create_symlink(dir / "real.jsonl", dir / "link.jsonl");
  EXPECT_THAT(ReadCosignatureFile(dir / "link.jsonl"), ErrorCodeIs(ErrorCode::kDataLoss));
}

// The witness took our checkpoint but its answer never made it to the file
// (a timeout, a full disk): the next round writes it.
TEST_F(PublisherTest, ACosignatureLostOnTheWayIsWrittenNextRound) {
  Write(options_.audit_url, 15, 1);
  ASSERT_OK(Publish(options_.audit_url));
  std::ofstream(options_.cosignature_file, std::ios::trunc).close();
  auto again = Publish(options_.audit_url);
  ASSERT_OK(again);
  auto stored = ReadCosignatureFile(options_.cosignature_file);
  ASSERT_OK(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front(), **again);
  ASSERT_OK(Publish(options_.audit_url));
  EXPECT_EQ(ReadCosignatureFile(options_.cosignature_file)->size(), 1u) << "written once";
}

// A crash while a cosignature was written leaves a line cut short: the next
// round cuts it off (the cosignature it held is written again), and the file
// stays readable; until then a reader leaves that line out.
TEST_F(PublisherTest, ACosignatureLineACrashCutShortIsMendedNextRound) {
  Write(options_.audit_url, 15, 1);
  ASSERT_OK(Publish(options_.audit_url));
  std::string whole;
  {
    std::ifstream in(options_.cosignature_file, std::ios::binary);
    whole.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(options_.cosignature_file, std::ios::binary | std::ios::trunc)
      << whole.substr(0, whole.size() / 2);
  auto torn = ReadCosignatureFile(options_.cosignature_file);
  ASSERT_OK(torn);
  EXPECT_TRUE(torn->empty());
  Write(options_.audit_url, 5, 2);  // the next round has a newer one to send too
  ASSERT_OK(Publish(options_.audit_url));
  auto stored = ReadCosignatureFile(options_.cosignature_file);
  ASSERT_OK(stored);
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ(stored->front().checkpoint.tree_size, 15u);
  EXPECT_EQ(stored->back().checkpoint.tree_size, 20u);
}

// A whole last line that is not a cosignature (damaged, or edited and left
// without its newline) is damage: reported, and never cut as a torn write.
TEST_F(PublisherTest, AWholeLastLineThatIsNoCosignatureIsDamageNotCut) {
  Write(options_.audit_url, 15, 1);
  ASSERT_OK(Publish(options_.audit_url));
  std::string text;
  {
    std::ifstream in(options_.cosignature_file, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = text.find("\"witness_signature\":\"") + 21;
  ASSERT_LT(at, text.size());
  text[at] = '*';  // not base64
  text.pop_back();
  std::ofstream(options_.cosignature_file, std::ios::binary | std::ios::trunc) << text;
  EXPECT_THAT(ReadCosignatureFile(options_.cosignature_file), ErrorCodeIs(ErrorCode::kDataLoss));
  Write(options_.audit_url, 5, 2);
  EXPECT_THAT(Publish(options_.audit_url), ErrorCodeIs(ErrorCode::kDataLoss));
  EXPECT_EQ(std::filesystem::file_size(options_.cosignature_file), text.size() + 1)
      << "nothing cut (only the newline it lacked added)";
}

// A crash between a whole line and its newline: the line is kept (it was
// countersigned) and the next one starts on a line of its own.
TEST_F(PublisherTest, ACosignatureLineMissingOnlyItsNewlineIsKept) {
  Write(options_.audit_url, 15, 1);
  ASSERT_OK(Publish(options_.audit_url));
  std::string whole;
  {
    std::ifstream in(options_.cosignature_file, std::ios::binary);
    whole.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_TRUE(whole.ends_with('\n'));
  whole.pop_back();
  std::ofstream(options_.cosignature_file, std::ios::binary | std::ios::trunc) << whole;
  Write(options_.audit_url, 5, 2);
  ASSERT_OK(Publish(options_.audit_url));
  auto stored = ReadCosignatureFile(options_.cosignature_file);
  ASSERT_OK(stored);
  ASSERT_EQ(stored->size(), 2u) << "written once, not again";
  EXPECT_EQ(stored->front().checkpoint.tree_size, 15u);
  EXPECT_EQ(stored->back().checkpoint.tree_size, 20u);
}

// A witness that holds less than it countersigned for us lost its store (an
// empty file, an old backup): it would countersign a truncated log next, so
// it is an alarm; a witness with another key starting over is not.
TEST_F(PublisherTest, AWitnessThatLostCountersignaturesIsDataLoss) {
  Write(options_.audit_url, 15, 1);
  ASSERT_OK(Publish(options_.audit_url));
  server_.reset();
  witness_.reset();
  std::ofstream(witness_dir_.path() / "cosignatures.jsonl", std::ios::trunc).close();
  ServeWitness();
  options_.witness_url = witness_url_;
  auto refused = Publish(options_.audit_url);
  ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kDataLoss));
  EXPECT_NE(refused.error().message().find("lost countersignatures"), std::string::npos);
  EXPECT_EQ(witness_->Latest(), std::nullopt) << "nothing sent";
}

// A proxy's error page in front of the witness is no refusal: a failure to
// retry (not counted as an alarm).
TEST_F(PublisherTest, AnErrorPageInsteadOfTheWitnessIsAFailureToRetry) {
  Write(options_.audit_url, 3, 1);
  auto proxy = StartProxy([] {
    http::Response page;
    page.status = 502;
    page.content_type = "text/html";
    page.body = "<html><body>Bad Gateway</body></html>";
    return page;
  });
  EXPECT_THAT(Publish(options_.audit_url), ErrorCodeIs(ErrorCode::kUnavailable));
  proxy->Stop();
  proxy->Wait();
}

// The witness's own problem (its store damaged: 500; our submission
// malformed: 400) is a refusal to act on; the same status with a proxy's
// JSON that is no problem of ours stays a failure to retry.
TEST_F(PublisherTest, TheWitnessesOwnFailureIsARefusalNotAnOutage) {
  Write(options_.audit_url, 3, 1);
  for (const auto& [status, content_type, body, code] :
       {std::tuple{500, "application/problem+json",
                   R"({"status":500,"detail":"store damaged","code":"Internal"})",
                   ErrorCode::kDataLoss},
        std::tuple{
            400, "application/problem+json",
            R"({"status":400,"detail":"proof holds 2 hashes, not 3","code":"InvalidArgument"})",
            ErrorCode::kInvalidArgument},
        std::tuple{500, "application/json", R"({"error":"upstream timed out"})",
                   ErrorCode::kUnavailable}}) {
    SCOPED_TRACE(body);
    auto proxy = StartProxy([status, content_type, body] {
      http::Response reply;
      reply.status = status;
      reply.content_type = content_type;
      reply.body = body;
      return reply;
    });
    EXPECT_THAT(Publish(options_.audit_url), ErrorCodeIs(code));
    proxy->Stop();
    proxy->Wait();
  }
}

// A refusal's text comes from outside (the witness, or whatever answers at
// its address): it reaches the operator's terminal without its controls.
TEST_F(PublisherTest, AWitnessRefusalCannotSendTheTerminalControls) {
  Write(options_.audit_url, 3, 1);
  auto proxy = StartProxy([] {
    http::Response refusal;
    refusal.status = 422;
    refusal.content_type = "application/json";
    refusal.body = R"({"detail":"\u001b[2J\u001b]52;c;eA==\u0007\u009b31m all fine"})";
    return refusal;
  });
  auto published = Publish(options_.audit_url);
  ASSERT_THAT(published, ErrorCodeIs(ErrorCode::kDataLoss));
  const std::string message = published.error().message();
  EXPECT_EQ(message.find('\x1b'), std::string::npos) << message;
  EXPECT_EQ(message.find('\x07'), std::string::npos) << message;
  EXPECT_EQ(message.find("\xc2\x9b"), std::string::npos) << message;
  EXPECT_NE(message.find("all fine"), std::string::npos) << message;
  proxy->Stop();
  proxy->Wait();
}

TEST_F(PublisherTest, AForkedOrTruncatedLogIsRefusedByTheWitness) {
  Write(options_.audit_url, 20, 1);
  ASSERT_OK(Publish(options_.audit_url));
  // Whoever runs Vigie rebuilds the log without agent 1's events, same key.
  const std::string rewritten = "sqlite:" + (fixture_.dir() / "rewritten.db").string();
  Write(rewritten, 30, 2);
  EXPECT_THAT(Publish(rewritten), ErrorCodeIs(ErrorCode::kDataLoss));
  const std::string truncated = "sqlite:" + (fixture_.dir() / "truncated.db").string();
  Write(truncated, 5, 1);
  EXPECT_THAT(Publish(truncated), ErrorCodeIs(ErrorCode::kDataLoss));
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 20u);
}

// Our latest checkpoint at the size the witness holds, with its root but
// another chain hash: not the log the witness countersigned either.
TEST_F(PublisherTest, AnotherChainAtTheWitnessedSizeIsDataLoss) {
  Write(options_.audit_url, 20, 1);
  ASSERT_OK(Publish(options_.audit_url));
  {
    auto db = store::Open(options_.audit_url);
    ASSERT_OK(db);
    ASSERT_OK(audit::testing::LiftAppendOnlyGuards(**db));
    const std::string other = store::testing::BytesLiteral((*db)->dialect(), std::string(64, 'a'));
    ASSERT_OK((*db)->ExecuteScript("UPDATE audit_checkpoint SET chain_hash = " + other +
                                   " WHERE tree_size = 20"));
  }
  EXPECT_THAT(Publish(options_.audit_url), ErrorCodeIs(ErrorCode::kDataLoss));
}

// A stored subtree row damaged under the witnessed size makes a proof that
// fails: made again from the events, which still extend the witnessed tree,
// and countersigned - not sent as it is, for the witness to take as the
// log's own word that it forked.
TEST_F(PublisherTest, AProofFromDamagedSubtreeRowsIsMadeAgainFromTheEvents) {
  audit::SubtreeCache cache(1);
  Write(options_.audit_url, 20, 1);
  ASSERT_OK(Publish(options_.audit_url, cache));
  Write(options_.audit_url, 20, 2);  // checkpoint at 40, not yet witnessed
  {
    auto db = store::Open(options_.audit_url);
    ASSERT_OK(db);
    ASSERT_OK(audit::testing::LiftAppendOnlyGuards(**db));
    // Leaves [0, 16): a hash of the proof from 20 to 40.
    ASSERT_OK((*db)->ExecuteScript(
        "UPDATE audit_subtree SET hash = " + audit::testing::ZeroHashSql(**db) +
        " WHERE level = 4 AND idx = 0"));
  }
  auto published = Publish(options_.audit_url, cache);
  ASSERT_OK(published);
  ASSERT_TRUE(published->has_value());
  EXPECT_EQ((*published)->checkpoint.tree_size, 40u);
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 40u);
  // The cache kept for the next rounds holds the events' hash, not the
  // damaged row's: they neither read every event again nor keep the damage.
  auto db = store::Open(options_.audit_url, {.read_only = true});
  ASSERT_OK(db);
  auto events = audit::StoredLeafSource::Open(**db);
  ASSERT_OK(events);
  auto truth = events->PerfectSubtreeHash(4, 0);
  ASSERT_OK(truth);
  cache.Attach(*events);
  auto remembered = cache.PerfectSubtreeHash(4, 0);
  ASSERT_OK(remembered);
  EXPECT_EQ(*remembered, *truth);
  Write(options_.audit_url, 20, 3);
  auto next = Publish(options_.audit_url, cache);
  ASSERT_OK(next);
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 60u);
}

// Events deleted from under the log's own latest checkpoint: refused as data
// loss (an alarm), not counted as a witness that could not be reached.
TEST_F(PublisherTest, EventsMissingUnderOurOwnCheckpointAreDataLoss) {
  Write(options_.audit_url, 20, 1);
  ASSERT_OK(Publish(options_.audit_url));
  Write(options_.audit_url, 10, 2);  // checkpoint at 30, not yet witnessed
  {
    auto db = store::Open(options_.audit_url);
    ASSERT_OK(db);
    const bool postgres = (*db)->dialect() == store::Dialect::kPostgres;
    ASSERT_OK((*db)->ExecuteScript(postgres ? "DROP TRIGGER audit_event_no_update ON audit_event"
                                            : "DROP TRIGGER audit_event_no_delete"));
    ASSERT_OK((*db)->ExecuteScript("DELETE FROM audit_event WHERE sequence >= 25"));
  }
  auto published = Publish(options_.audit_url);
  EXPECT_THAT(published, ErrorCodeIs(ErrorCode::kDataLoss));
  if (!published) {
    EXPECT_NE(published.error().message().find("truncated"), std::string::npos);
  }
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 20u);
}

TEST_F(PublisherTest, AWitnessWithAnotherKeyIsNotTrusted) {
  Write(options_.audit_url, 3, 1);
  options_.witness_public_key = crypto::Ed25519KeyPair::Generate().public_key();
  EXPECT_THAT(Publish(options_.audit_url), ErrorCodeIs(ErrorCode::kDataLoss));
}

// A node whose key file lacks the checkpoint's key (it lags behind a
// rotation) cannot sign the submission: a refusal to act on, nothing sent.
TEST_F(PublisherTest, WithoutTheCheckpointsKeyNothingIsSent) {
  Write(options_.audit_url, 3, 1);
  for (auto keys :
       {std::shared_ptr<const LogSigningKeys>{}, std::make_shared<const LogSigningKeys>()}) {
    options_.log_signing_keys = keys;
    EXPECT_THAT(Publish(options_.audit_url), ErrorCodeIs(ErrorCode::kPermissionDenied));
  }
  EXPECT_FALSE(witness_->Latest().has_value());
}

TEST_F(PublisherTest, FetchesTheLogKeysTheWitnessAccepts) {
  auto keys = FetchWitnessLogKeys(options_);
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].key_id, fixture_.SigningKey().id);
  EXPECT_EQ((*keys)[0].public_key, fixture_.PublicKey());
  PublisherOptions impostor = options_;
  impostor.witness_public_key = crypto::Ed25519KeyPair::Generate().public_key();
  EXPECT_THAT(FetchWitnessLogKeys(impostor), ErrorCodeIs(ErrorCode::kDataLoss))
      << "not the configured witness";
  options_.witness_url = "http://127.0.0.1:1";
  EXPECT_THAT(FetchWitnessLogKeys(options_), ErrorCodeIs(ErrorCode::kUnavailable));
}

TEST_F(PublisherTest, TheBackgroundPublisherKeepsTheWitnessUpToDate) {
  Write(options_.audit_url, 12, 1);
  options_.interval = std::chrono::milliseconds(20);
  auto publisher = CheckpointPublisher::Start(options_);
  ASSERT_OK(publisher);
  for (int i = 0; i < 500 && (*publisher)->stats().witnessed_size < 12; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ((*publisher)->stats().witnessed_size, 12u);
  EXPECT_EQ((*publisher)->stats().refusals, 0u);
}

TEST_F(PublisherTest, APersistentRefusalIsCountedEachTimeButLoggedOnce) {
  Write(options_.audit_url, 20, 1);
  ASSERT_OK(Publish(options_.audit_url));
  const std::string rewritten = "sqlite:" + (fixture_.dir() / "rewritten.db").string();
  Write(rewritten, 30, 2);
  PublisherOptions forked = options_;
  forked.audit_url = rewritten;
  forked.interval = std::chrono::milliseconds(10);
  ::testing::internal::CaptureStderr();
  {
    auto publisher = CheckpointPublisher::Start(forked);
    ASSERT_OK(publisher);
    for (int i = 0; i < 500 && (*publisher)->stats().refusals < 5; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_GE((*publisher)->stats().refusals, 5u);
    EXPECT_EQ((*publisher)->stats().witnessed_size, 0u);
  }
  const std::string logged = ::testing::internal::GetCapturedStderr();
  size_t lines = 0;
  for (size_t at = logged.find("audit_witness_refused"); at != std::string::npos;
       at = logged.find("audit_witness_refused", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << logged;
}

// Mistakes in the settings are no outage: said at start, or counted as
// refusals (an error to act on), never retried quietly.
TEST_F(PublisherTest, AWitnessUrlNoCallWouldTakeIsRefusedAtStart) {
  for (const char* url : {"http://192.0.2.1:8444", "witness.example:8444", "ftp://127.0.0.1"}) {
    PublisherOptions options = options_;
    options.witness_url = url;
    EXPECT_THAT(CheckpointPublisher::Start(options), ErrorCodeIs(ErrorCode::kInvalidArgument))
        << url;
  }
}

TEST_F(PublisherTest, TrustedCertificatesThatCannotBeLoadedAreARefusal) {
  Write(options_.audit_url, 3, 1);
  PublisherOptions options = options_;
  options.witness_url = "https://127.0.0.1:1";
  options.trusted_certificate_file = (fixture_.dir() / "no-such-ca.pem").string();
  options.interval = std::chrono::milliseconds(10);
  ::testing::internal::CaptureStderr();
  {
    auto publisher = CheckpointPublisher::Start(options);
    ASSERT_OK(publisher);
    for (int i = 0; i < 500 && (*publisher)->stats().refusals < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_GE((*publisher)->stats().refusals, 2u);
    EXPECT_EQ((*publisher)->stats().failures, 0u);
  }
  EXPECT_THAT(::testing::internal::GetCapturedStderr(), ::testing::HasSubstr("no-such-ca.pem"));
}

TEST_F(PublisherTest, AnUnreachableWitnessIsAFailureToRetry) {
  Write(options_.audit_url, 3, 1);
  server_->Stop();
  server_->Wait();
  EXPECT_THAT(Publish(options_.audit_url), ErrorCodeIs(ErrorCode::kUnavailable));
}

}  // namespace
}  // namespace vigie::witness
