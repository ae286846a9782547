// Login on the bounded hashing pool `vigie serve` uses: what a full pool
// does to an attempt.
#include <gtest/gtest.h>

#include <string>

#include "crypto/bytes.h"
#include "crypto/totp.h"
#include "identity/internal/identity_testing.h"
#include "identity/login.h"
#include "identity/password_hasher.h"
#include "tests/support/matchers.h"

namespace vigie::identity {
namespace {

using testing::IdentityDb;
using testing::kGoodPassword;
using ::vigie::testing::ErrorCodeIs;

constexpr std::string_view kAddress = "192.0.2.10";

TEST(LoginPoolTest, RunsOnAPasswordHasherPool) {
  IdentityDb t;
  const std::vector<uint8_t> seed = t.AddActiveAgent("PN-1001");
  PasswordHasherPool pool(2, 8);
  Authenticator login(*t.db, t.clock, *t.totp_key, pool, t.options);
  auto challenge = login.VerifyPassword("PN-1001", kGoodPassword, kAddress);
  ASSERT_OK(challenge);
  const std::string code = crypto::TotpCode(seed, crypto::TotpStep(t.Now()));
  EXPECT_OK(login.VerifySecondFactor(std::string(crypto::AsText(challenge->token.view())), code,
                                     kAddress));
}

// Security: a full pool refuses every attempt alike and before it leaves a
// trace - no counted failure whose password was never checked (a real agent
// retrying through a flood would lock themselves out), no commit that an
// unknown service number does not make (its time would tell the two apart).
TEST(LoginPoolTest, AFullPoolRefusesEveryAttemptBeforeWritingAnything) {
  IdentityDb t;
  t.AddActiveAgent("PN-1001");
  PasswordHasherPool pool(1, 0);
  Authenticator login(*t.db, t.clock, *t.totp_key, pool, t.options);
  // The dummy hash an unknown number is checked against, made while there is room.
  EXPECT_FALSE(login.VerifyPassword("PN-404", "wrong-password-123", kAddress).has_value());
  const int64_t before = t.FailuresWritten();
  {
    auto flood = pool.Reserve();  // the one place, taken by another login
    ASSERT_OK(flood);
    for (std::string_view number : {"PN-1001", "PN-404"}) {
      for (std::string_view password : {std::string_view("wrong-password-123"), kGoodPassword}) {
        SCOPED_TRACE(std::string(number) + " / " + std::string(password));
        EXPECT_THAT(login.VerifyPassword(number, password, kAddress),
                    ErrorCodeIs(ErrorCode::kResourceExhausted));
      }
    }
    EXPECT_EQ(t.FailuresWritten(), before);
  }
  EXPECT_OK(login.VerifyPassword("PN-1001", kGoodPassword, kAddress));  // room again
}

}  // namespace
}  // namespace vigie::identity
