#include "audit/audit_event_codec.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "audit/audit_event_test_util.h"
#include "crypto/hash.h"

namespace vigie::audit {
namespace {

using testing::FullAuditEvent;

std::vector<uint8_t> Hex(std::string_view hex) {
  std::string compact;
  for (char c : hex) {
    if (c != ' ') compact += c;
  }
  auto bytes = crypto::HexDecode(compact);
  EXPECT_TRUE(bytes.has_value());
  return *bytes;
}

std::vector<uint8_t> Encode(const AuditEvent& e) {
  auto bytes = EncodeAuditEvent(e);
  EXPECT_TRUE(bytes.has_value()) << bytes.error().ToString();
  return bytes.value_or(std::vector<uint8_t>{});
}

void ExpectDataLoss(const std::vector<uint8_t>& bytes, std::string_view why) {
  auto decoded = DecodeAuditEvent(bytes);
  ASSERT_FALSE(decoded.has_value()) << why;
  EXPECT_EQ(decoded.error().code(), ErrorCode::kDataLoss) << why;
}

// Pins format version 1 byte for byte (docs/formats/audit-event.md, example 2).
constexpr std::string_view kGolden =
    "01 ac02 01 21 07 024131 03 09 01ff 00 00 00 00 00 00 00 02018001 00 00 01"
    " 08436f6e666c696374 9601 016e 00";

AuditEvent GoldenEvent() {
  AuditEvent e;
  e.sequence = 300;
  e.time_unix_micros = 1;
  e.type = AuditEventType::kFileOpening;
  e.actor = {.agent_id = 7, .service_number = "A1", .unit_id = 3};
  e.session_id = 9;
  e.token_id_hash = {0xff};
  e.person_ids = {1, 128};
  e.outcome = AuditOutcome::kRefused;
  e.refusal_code = "Conflict";
  e.latency_micros = 150;
  e.node_id = "n";
  return e;
}

// The smallest event: version, sequence 5, time 0, type search, then 20 zeros.
constexpr std::string_view kMinimal = "01 05 00 20 0000000000000000000000000000000000000000";

TEST(AuditEventCodecTest, GoldenEncoding) {
  EXPECT_EQ(Encode(GoldenEvent()), Hex(kGolden));
  auto decoded = DecodeAuditEvent(Hex(kGolden));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().ToString();
  EXPECT_EQ(*decoded, GoldenEvent());
  AuditEvent minimal;
  minimal.sequence = 5;
  EXPECT_EQ(Encode(minimal), Hex(kMinimal));
}

TEST(AuditEventCodecTest, FullEventRoundTripsAndReencodesIdentically) {
  const std::vector<uint8_t> bytes = Encode(FullAuditEvent());
  auto decoded = DecodeAuditEvent(bytes);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().ToString();
  EXPECT_EQ(*decoded, FullAuditEvent());
  EXPECT_EQ(Encode(*decoded), bytes);
  EXPECT_EQ(Encode(FullAuditEvent()), bytes);  // deterministic
}

TEST(AuditEventCodecTest, EveryEventTypeRoundTrips) {
  for (uint64_t wire = 0; wire < 256; ++wire) {
    auto type = AuditEventTypeFromWire(wire);
    if (!type) continue;
    EXPECT_EQ(AuditEventTypeFromName(AuditEventTypeName(*type)), type);
    AuditEvent e;
    e.type = *type;
    auto decoded = DecodeAuditEvent(Encode(e));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->type, *type);
  }
  EXPECT_EQ(AuditEventTypeName(AuditEventType::kLoginSecondFactorFailed),
            "login_second_factor_failed");
  EXPECT_FALSE(AuditEventTypeFromName("sudo").has_value());
}

TEST(AuditEventCodecTest, ExtremeValuesRoundTrip) {
  AuditEvent e = FullAuditEvent();
  e.sequence = UINT64_MAX;
  e.time_unix_micros = INT64_MAX;
  e.latency_micros = UINT64_MAX;
  e.actor.agent_id = INT64_MAX;
  e.user_agent.assign(kMaxAuditText, 'u');
  e.node_id.assign(kMaxAuditShortText, 'n');
  e.subject.assign(kMaxAuditShortText, 's');
  e.query.sealed_terms.assign(kMaxAuditSealedTerms, 0x42);
  e.token_id_hash.assign(kMaxAuditDigest, 0x01);
  e.person_ids.assign(kMaxAuditRecordIds, INT64_MAX);
  e.notice_ids.assign(kMaxAuditRecordIds, 0);
  e.entry_ids.assign(kMaxAuditRecordIds, 1);
  auto decoded = DecodeAuditEvent(Encode(e));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().ToString();
  EXPECT_EQ(*decoded, e);
}

TEST(AuditEventCodecTest, EveryTruncationIsDataLoss) {
  const std::vector<uint8_t> bytes = Encode(FullAuditEvent());
  for (size_t n = 0; n < bytes.size(); ++n) {
    ExpectDataLoss({bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n)},
                   "prefix of " + std::to_string(n));
  }
}

TEST(AuditEventCodecTest, TrailingBytesAreDataLoss) {
  std::vector<uint8_t> bytes = Hex(kMinimal);
  bytes.push_back(0);
  ExpectDataLoss(bytes, "one trailing zero");
}

TEST(AuditEventCodecTest, UnknownVersionIsDataLoss) {
  for (uint8_t version : {0, 2, 0xff}) {
    std::vector<uint8_t> bytes = Hex(kMinimal);
    bytes[0] = version;
    ExpectDataLoss(bytes, "version " + std::to_string(version));
  }
}

TEST(AuditEventCodecTest, UnknownEnumValuesAreDataLoss) {
  for (uint8_t type : {0x00, 0x0e, 0x1f, 0x22, 0x7f}) {
    std::vector<uint8_t> bytes = Hex(kMinimal);
    bytes[3] = type;
    ExpectDataLoss(bytes, "event type " + std::to_string(type));
  }
  std::vector<uint8_t> bytes = Hex(kGolden);
  // The outcome byte precedes the refusal code (08 "Conflict"), the latency
  // (9601), the node id (016e) and the empty subject (00).
  const size_t outcome = bytes.size() - 1 - 1 - 9 - 2 - 2;
  ASSERT_EQ(bytes[outcome], 0x01);
  bytes[outcome] = 0x02;
  ExpectDataLoss(bytes, "outcome 2");
  bytes[outcome] = 0x00;
  ExpectDataLoss(bytes, "ok outcome with a refusal code");
}

TEST(AuditEventCodecTest, RefusedWithoutCodeIsDataLoss) {
  std::vector<uint8_t> bytes = Hex(kMinimal);
  bytes[bytes.size() - 5] = 0x01;  // outcome refused, refusal code empty
  ExpectDataLoss(bytes, "refused without a code");
}

TEST(AuditEventCodecTest, NonCanonicalVarintsAreDataLoss) {
  ExpectDataLoss(Hex("01 8500 00 20 0000000000000000000000000000000000000000"),
                 "sequence 5 as 85 00");
  ExpectDataLoss(Hex("01 8080808080808080808000 00 20 0000000000000000000000000000000000000000"),
                 "eleven-byte varint");
  ExpectDataLoss(Hex("01 ffffffffffffffffff02 00 20 0000000000000000000000000000000000000000"),
                 "varint above 2^64");
  ExpectDataLoss(Hex("01 05 80808080808080808001 20 0000000000000000000000000000000000000000"),
                 "time 2^63 does not fit int64");
  // Exactly 2^64 - 1 is fine for an unsigned field.
  auto max = DecodeAuditEvent(
      Hex("01 ffffffffffffffffff01 00 20 0000000000000000000000000000000000000000"));
  ASSERT_TRUE(max.has_value()) << max.error().ToString();
  EXPECT_EQ(max->sequence, UINT64_MAX);
}

TEST(AuditEventCodecTest, FieldsOverTheirLimitsAreDataLoss) {
  // Service number of 257 bytes (limit 256).
  std::vector<uint8_t> bytes = Hex("01 05 00 20 00 8102");
  bytes.insert(bytes.end(), 257, 'a');
  const std::vector<uint8_t> rest = Hex("0000000000000000000000000000000000000000");
  bytes.insert(bytes.end(), rest.begin() + 2, rest.end());  // 17 zeros after the field
  ExpectDataLoss(bytes, "long service number");
  // A person-id count above the limit (4097), without the ids.
  ExpectDataLoss(Hex("01 05 00 20 0000000000000000000000000000 8120"), "too many person ids");
  // A length larger than what is left.
  ExpectDataLoss(Hex("01 05 00 20 00 05 4142"), "length past the end");
  // Input larger than an event may be.
  ExpectDataLoss(std::vector<uint8_t>(kMaxAuditEventSize + 1, 0), "oversized input");
}

TEST(AuditEventCodecTest, EverySingleByteChangeFailsOrIsCanonical) {
  // Whatever a mutated encoding decodes to must re-encode to exactly those
  // bytes: there is never a second encoding of the same event.
  const std::vector<uint8_t> bytes = Encode(FullAuditEvent());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t delta : {0x01, 0x80, 0xff}) {
      std::vector<uint8_t> mutated = bytes;
      mutated[i] = static_cast<uint8_t>(mutated[i] + delta);
      auto decoded = DecodeAuditEvent(mutated);
      if (!decoded) {
        EXPECT_EQ(decoded.error().code(), ErrorCode::kDataLoss);
        continue;
      }
      EXPECT_NE(*decoded, FullAuditEvent()) << "byte " << i;
      EXPECT_EQ(Encode(*decoded), mutated) << "byte " << i;
    }
  }
}

TEST(AuditEventCodecTest, EncoderRefusesWhatTheFormatCannotHold) {
  auto expect = [](AuditEvent e, ErrorCode code, std::string_view why) {
    auto r = EncodeAuditEvent(e);
    ASSERT_FALSE(r.has_value()) << why;
    EXPECT_EQ(r.error().code(), code) << why;
  };
  const AuditEvent base = FullAuditEvent();
  AuditEvent e = base;
  e.time_unix_micros = -1;
  expect(e, ErrorCode::kInvalidArgument, "negative time");
  e = base;
  e.actor.unit_id = -5;
  expect(e, ErrorCode::kInvalidArgument, "negative unit");
  e = base;
  e.entry_ids.push_back(-1);
  expect(e, ErrorCode::kInvalidArgument, "negative entry id");
  e = base;
  e.type = static_cast<AuditEventType>(200);
  expect(e, ErrorCode::kInvalidArgument, "unassigned type");
  e = base;
  e.outcome = static_cast<AuditOutcome>(7);
  expect(e, ErrorCode::kInvalidArgument, "unknown outcome");
  e = base;
  e.refusal_code.clear();
  expect(e, ErrorCode::kInvalidArgument, "refused without a code");
  e = base;
  e.outcome = AuditOutcome::kOk;
  expect(e, ErrorCode::kInvalidArgument, "ok with a code");
  e = base;
  e.user_agent.assign(kMaxAuditText + 1, 'u');
  expect(e, ErrorCode::kResourceExhausted, "long user agent");
  e = base;
  e.token_id_hash.assign(kMaxAuditDigest + 1, 0);
  expect(e, ErrorCode::kResourceExhausted, "long token id hash");
  e = base;
  e.person_ids.assign(kMaxAuditRecordIds + 1, 1);
  expect(e, ErrorCode::kResourceExhausted, "too many person ids");
}

TEST(AuditEventCodecTest, SeedCorpusEventsDecodeAndMalformedOnesDoNot) {
  // The fuzz seeds were written by an independent encoder following
  // docs/formats/audit-event.md; the well-formed ones must decode.
  const std::filesystem::path dir =
      std::filesystem::path(VIGIE_SOURCE_DIR) / "fuzz/corpus/audit_event";
  const std::set<std::string> malformed = {"truncated", "trailing_byte", "non_minimal_varint",
                                           "unknown_type", "unknown_version"};
  int valid = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    const std::string name = entry.path().filename().string();
    auto decoded = DecodeAuditEvent(bytes);
    if (malformed.contains(name)) {
      EXPECT_FALSE(decoded.has_value()) << name;
    } else {
      ASSERT_TRUE(decoded.has_value()) << name << ": " << decoded.error().ToString();
      EXPECT_EQ(Encode(*decoded), bytes) << name;
      ++valid;
    }
  }
  EXPECT_GE(valid, 6);
}

}  // namespace
}  // namespace vigie::audit
