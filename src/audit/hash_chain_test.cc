#include "audit/hash_chain.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <vector>

#include "audit/audit_event_codec.h"
#include "audit/audit_event_test_util.h"
#include "crypto/hash.h"

namespace vigie::audit {
namespace {

using testing::FullAuditEvent;

std::vector<uint8_t> Encode(const AuditEvent& e) {
  auto bytes = EncodeAuditEvent(e);
  EXPECT_TRUE(bytes.has_value()) << bytes.error().ToString();
  return bytes.value_or(std::vector<uint8_t>{});
}

TEST(HashChainTest, MatchesTheSpecifiedConstruction) {
  // Expected values computed independently with Python's hashlib from the
  // definition in docs/formats/audit-event.md.
  const std::vector<uint8_t> event{1, 2, 3};
  EXPECT_EQ(crypto::HexEncode(ChainHash(kGenesisChainHash, event)),
            "ed7c54db2c9625820f96a045d36611ce8d2a4b14900c31c195f90cf4137fdc82");
  Sha256Digest previous;
  for (size_t i = 0; i < previous.size(); ++i) previous[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(crypto::HexEncode(ChainHash(previous, {})),
            "c43a27e6c2bf68c6d7d7beba21cd1a04afcd294826475337eb557b05831b229b");
}

TEST(HashChainTest, GenesisIsAllZeros) {
  for (uint8_t b : kGenesisChainHash) EXPECT_EQ(b, 0);
}

TEST(HashChainTest, ChangesWithEveryFieldOfTheEvent) {
  const std::vector<std::function<void(AuditEvent&)>> changes = {
      [](AuditEvent& e) { e.sequence++; },
      [](AuditEvent& e) { e.time_unix_micros++; },
      [](AuditEvent& e) { e.type = AuditEventType::kSearch; },
      [](AuditEvent& e) { e.actor.agent_id++; },
      [](AuditEvent& e) { e.actor.service_number += "0"; },
      [](AuditEvent& e) { e.actor.unit_id++; },
      [](AuditEvent& e) { e.session_id++; },
      [](AuditEvent& e) { e.token_id_hash[31] ^= 1; },
      [](AuditEvent& e) { e.dpop_jkt[0] = 'x'; },
      [](AuditEvent& e) { e.source_address = "2001:db8::18"; },
      [](AuditEvent& e) { e.user_agent += " "; },
      [](AuditEvent& e) { e.purpose = "administrative_check"; },
      [](AuditEvent& e) { e.case_reference.clear(); },
      [](AuditEvent& e) { e.query.terms_keyed_hash[0] ^= 0x80; },
      [](AuditEvent& e) { e.query.sealed_terms.pop_back(); },
      [](AuditEvent& e) { e.person_ids.pop_back(); },
      [](AuditEvent& e) { std::swap(e.person_ids[0], e.person_ids[1]); },
      [](AuditEvent& e) { e.notice_ids.clear(); },
      [](AuditEvent& e) { e.entry_ids[1] = 9; },
      [](AuditEvent& e) {
        e.outcome = AuditOutcome::kOk;
        e.refusal_code.clear();
      },
      [](AuditEvent& e) { e.refusal_code = "Unavailable"; },
      [](AuditEvent& e) { e.latency_micros++; },
      [](AuditEvent& e) { e.node_id = "vigie-node-3"; },
      [](AuditEvent& e) { e.subject = "GN-100201"; },
  };
  const Sha256Digest previous = crypto::Sha256("previous");
  std::set<Sha256Digest> seen{ChainHash(previous, Encode(FullAuditEvent()))};
  for (size_t i = 0; i < changes.size(); ++i) {
    AuditEvent e = FullAuditEvent();
    changes[i](e);
    ASSERT_NE(e, FullAuditEvent()) << "change " << i;
    EXPECT_TRUE(seen.insert(ChainHash(previous, Encode(e))).second) << "change " << i;
  }
}

TEST(HashChainTest, ChangesWithEveryBitOfThePreviousHash) {
  const std::vector<uint8_t> event = Encode(FullAuditEvent());
  std::set<Sha256Digest> seen{ChainHash(kGenesisChainHash, event)};
  for (size_t bit = 0; bit < 256; ++bit) {
    Sha256Digest previous = kGenesisChainHash;
    previous[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_TRUE(seen.insert(ChainHash(previous, event)).second) << "bit " << bit;
  }
}

TEST(HashChainTest, AChangedEventChangesEveryLaterLink) {
  std::vector<AuditEvent> events(5, FullAuditEvent());
  for (size_t i = 0; i < events.size(); ++i) events[i].sequence = i;
  auto chain = [](const std::vector<AuditEvent>& log) {
    std::vector<Sha256Digest> links;
    Sha256Digest previous = kGenesisChainHash;
    for (const AuditEvent& e : log) links.push_back(previous = ChainHash(previous, Encode(e)));
    return links;
  };
  const auto original = chain(events);
  events[2].person_ids.push_back(31337);
  const auto tampered = chain(events);
  EXPECT_EQ(tampered[0], original[0]);
  EXPECT_EQ(tampered[1], original[1]);
  for (size_t i = 2; i < events.size(); ++i) EXPECT_NE(tampered[i], original[i]) << i;
}

TEST(HashChainTest, LeafHashIsTheRfc9162LeafHashOfTheEncoding) {
  const std::vector<uint8_t> event = Encode(FullAuditEvent());
  EXPECT_EQ(AuditEventLeafHash(event), MerkleLeafHash(event));
  EXPECT_NE(AuditEventLeafHash(event), crypto::Sha256(event));
  EXPECT_NE(AuditEventLeafHash(event), ChainHash(kGenesisChainHash, event));
}

}  // namespace
}  // namespace vigie::audit
