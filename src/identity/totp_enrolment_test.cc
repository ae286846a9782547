#include "identity/totp_enrolment.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::identity {
namespace {

TEST(TotpEnrolmentTest, UriFollowsTheKeyUriFormat) {
  // RFC 6238 appendix B's SHA-1 seed.
  std::string_view seed = "12345678901234567890";
  auto enrolment = MakeTotpEnrolment(crypto::AsBytes(seed), "PN-1001");
  ASSERT_OK(enrolment);
  EXPECT_EQ(enrolment->otpauth_uri(),
            "otpauth://totp/Vigie:PN-1001?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Vigie&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(enrolment->secret_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST(TotpEnrolmentTest, LabelIsPercentEncoded) {
  EXPECT_EQ(PercentEncode("A b/c:d?é"), "A%20b%2Fc%3Ad%3F%C3%A9");
  EXPECT_EQ(PercentEncode("az-AZ_09.~"), "az-AZ_09.~");
  auto enrolment = MakeTotpEnrolment(crypto::AsBytes(std::string_view("seed")), "X Y&Z");
  ASSERT_OK(enrolment);
  EXPECT_NE(enrolment->otpauth_uri().find("Vigie:X%20Y%26Z?"), std::string_view::npos);
}

TEST(TotpEnrolmentTest, QrCodeIsAnSvgDocument) {
  auto enrolment =
      MakeTotpEnrolment(crypto::AsBytes(std::string_view("12345678901234567890")), "PN-1001");
  ASSERT_OK(enrolment);
  std::string_view svg = enrolment->qr_svg();
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  // The three finder patterns put dark modules at each of three corners,
  // inside the 4-module quiet zone.
  EXPECT_NE(svg.find("M4 4h1v1h-1z"), std::string_view::npos);
  // A URI of ~110 bytes at level M needs version 5 or more (37+ modules + 8).
  size_t start = svg.find("viewBox=\"0 0 ") + 13;
  int size = std::stoi(std::string(svg.substr(start, 4)));
  EXPECT_GE(size, 45);
  EXPECT_EQ((size - 8 - 17) % 4, 0);  // a QR side is 17 + 4 × version
}

}  // namespace
}  // namespace vigie::identity
