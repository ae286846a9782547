#include "api/relying_party.h"

#include <gtest/gtest.h>

namespace vigie::api {
namespace {

TEST(RelyingPartyTest, TheHostOfThePublicUrlWithItsOriginAlone) {
  auto rp = RelyingPartyFor("https://Vigie.Interieur.example:8443/portal", "");
  ASSERT_TRUE(rp.has_value()) << rp.error().message();
  EXPECT_EQ(rp->id, "vigie.interieur.example");
  ASSERT_EQ(rp->origins.size(), 1u);
  EXPECT_EQ(rp->origins[0], "https://vigie.interieur.example:8443");

  auto local = RelyingPartyFor("http://localhost:40123", "");
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->id, "localhost");
  EXPECT_EQ(local->origins[0], "http://localhost:40123");
}

// Browsers name an origin without its scheme's default port.
TEST(RelyingPartyTest, TheDefaultPortIsNotPartOfTheOrigin) {
  auto https = RelyingPartyFor("https://vigie.interieur.example:443/portal", "");
  ASSERT_TRUE(https.has_value()) << https.error().message();
  EXPECT_EQ(https->origins[0], "https://vigie.interieur.example");
  auto http = RelyingPartyFor("http://localhost:80", "");
  ASSERT_TRUE(http.has_value()) << http.error().message();
  EXPECT_EQ(http->origins[0], "http://localhost");
  auto other = RelyingPartyFor("https://vigie.interieur.example:80", "");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->origins[0], "https://vigie.interieur.example:80");
  auto longer = RelyingPartyFor("https://vigie.interieur.example:4443", "");
  ASSERT_TRUE(longer.has_value());
  EXPECT_EQ(longer->origins[0], "https://vigie.interieur.example:4443");
}

TEST(RelyingPartyTest, AParentDomainMayBeNamedButNoOtherSite) {
  auto parent = RelyingPartyFor("https://vigie.interieur.example", "interieur.example");
  ASSERT_TRUE(parent.has_value());
  EXPECT_EQ(parent->id, "interieur.example");
  EXPECT_EQ(parent->origins[0], "https://vigie.interieur.example");
  auto spelled = RelyingPartyFor("https://vigie.interieur.example", "Interieur.EXAMPLE");
  ASSERT_TRUE(spelled.has_value()) << spelled.error().message();
  EXPECT_EQ(spelled->id, "interieur.example");  // as browsers compare it
  for (const char* other : {"attacker.example", "ieur.example", "vigie.interieur.example.evil",
                            "www.vigie.interieur.example", "example", ".interieur.example"}) {
    auto refused = RelyingPartyFor("https://vigie.interieur.example", other);
    EXPECT_FALSE(refused.has_value()) << other;
  }
}

TEST(RelyingPartyTest, RefusesAddressesAndOtherSchemes) {
  for (const char* url : {"https://127.0.0.1:8443", "https://[::1]:8443", "ftp://vigie.example",
                          "vigie.example", "https://user@vigie.example", "https://"}) {
    EXPECT_FALSE(RelyingPartyFor(url, "").has_value()) << url;
  }
}

}  // namespace
}  // namespace vigie::api
