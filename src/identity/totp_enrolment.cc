#include "identity/totp_enrolment.h"

#include <qrencode.h>
#include <string.h>

#include <memory>

namespace vigie::identity {
namespace {

constexpr int kQuietZone = 4;  // modules, as ISO/IEC 18004 asks

crypto::SecretBytes ToSecret(std::string& text) {
  crypto::SecretBytes secret(crypto::AsBytes(text));
  explicit_bzero(text.data(), text.size());
  return secret;
}

struct QrFree {
  void operator()(QRcode* code) const {
    // Security: the modules encode the seed; wipe them before freeing.
    explicit_bzero(code->data, static_cast<size_t>(code->width) * code->width);
    QRcode_free(code);
  }
};

// One path: a 1x1 square per dark module, in module units.
Result<std::string> RenderSvg(const std::string& text) {
  std::unique_ptr<QRcode, QrFree> code(QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M));
  if (!code) return Fail(ErrorCode::kInternal, "QR encoding failed");
  int width = code->width;
  int size = width + 2 * kQuietZone;
  // Security: the dark modules' coordinates encode the seed. Reserved whole
  // (at most 16 bytes a module) and appended in place, so no partial
  // drawing is left in a freed buffer by a reallocation or a temporary.
  std::string svg;
  svg.reserve(static_cast<size_t>(width * width) * 16 + 400);
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
         std::to_string(size) + "\" shape-rendering=\"crispEdges\">";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      if (code->data[y * width + x] & 1) {
        svg += 'M';
        svg += std::to_string(x + kQuietZone);  // short enough to stay on the stack
        svg += ' ';
        svg += std::to_string(y + kQuietZone);
        svg += "h1v1h-1z";
      }
    }
  }
  svg += "\"/></svg>\n";
  return svg;
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    bool unreserved = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
                      b == '-' || b == '.' || b == '_' || b == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  return out;
}

Result<TotpEnrolment> MakeTotpEnrolment(std::span<const uint8_t> seed,
                                        std::string_view service_number,
                                        const crypto::TotpParameters& parameters) {
  std::string secret = crypto::Base32Encode(seed);
  // Security: built in one buffer reserved whole, so no copy of the seed is
  // left in a buffer freed by a reallocation (only the final one is wiped).
  const std::string issuer = PercentEncode(kTotpIssuer);
  const std::string account = PercentEncode(service_number);
  std::string uri;
  uri.reserve(128 + 2 * issuer.size() + account.size() + secret.size());
  uri += "otpauth://totp/";
  uri += issuer;
  uri += ':';
  uri += account;
  uri += "?secret=";
  uri += secret;
  uri += "&issuer=";
  uri += issuer;
  uri += "&algorithm=SHA1&digits=";
  uri += std::to_string(parameters.digits);
  uri += "&period=";
  uri += std::to_string(parameters.step_seconds);
  auto svg = RenderSvg(uri);
  if (!svg) {
    explicit_bzero(uri.data(), uri.size());
    explicit_bzero(secret.data(), secret.size());
    return Fail(svg.error());
  }
  return TotpEnrolment(ToSecret(uri), ToSecret(secret), ToSecret(*svg));
}

}  // namespace vigie::identity
