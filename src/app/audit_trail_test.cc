// What AuditTrail puts into events from the caller: text from the client is
// kept when it is clean UTF-8 and neutralised when it is not, so exports stay
// valid JSON and a SIEM never receives a forged line.

#include "app/audit_trail.h"

#include <gtest/gtest.h>

#include "audit/audit_event_codec.h"
#include "audit/audit_log_test_util.h"

namespace vigie::app {
namespace {

class AuditTrailTest : public ::testing::Test {
 protected:
  audit::AuditEvent EventFor(std::string user_agent, std::string service_number = "GN-1") {
    Caller caller;
    caller.agent_id = 7;
    caller.service_number = std::move(service_number);
    caller.user_agent = std::move(user_agent);
    return trail_.For(caller, audit::AuditEventType::kSearch);
  }

  audit::testing::AuditLogFixture fixture_;
  std::unique_ptr<audit::AuditLog> log_ = fixture_.OpenLog();
  AuditTrail trail_{*log_, fixture_.SigningKey(), fixture_.clock()};
};

TEST_F(AuditTrailTest, CleanTextIsKeptAsSent) {
  EXPECT_EQ(EventFor("Mozilla/5.0 (X11) Vigie/1 \xc3\xa9t\xc3\xa9").user_agent,
            "Mozilla/5.0 (X11) Vigie/1 \xc3\xa9t\xc3\xa9");
}

TEST_F(AuditTrailTest, ControlCharactersAndBadUtf8BecomeQuestionMarks) {
  EXPECT_EQ(EventFor("probe\r\n<14>1 forged\x01").user_agent, "probe?" "?<14>1 forged?");
  EXPECT_EQ(EventFor("bad\xff\xfe utf8 \xc3\xa9").user_agent, "bad?" "? utf8 ?" "?");
  EXPECT_EQ(EventFor("", "GN-\n1").actor.service_number, "GN-?1");
}

TEST_F(AuditTrailTest, LongTextIsCutOnACharacterBoundary) {
  std::string long_text(audit::kMaxAuditText - 1, 'a');
  long_text += "\xc3\xa9\xc3\xa9";
  const std::string kept = EventFor(long_text).user_agent;
  EXPECT_EQ(kept, std::string(audit::kMaxAuditText - 1, 'a'));
}

}  // namespace
}  // namespace vigie::app
