#pragma once
// A self-signed TLS server certificate for the demo installation (`vigie init`).
// A real deployment uses a certificate from its own PKI; this one only lets a
// newcomer run the portal over TLS on their machine.
//
// The key is EC P-256 (fast ECDHE-ECDSA handshakes, accepted everywhere); the
// certificate is X.509 v3, signed with ECDSA-SHA256, with
// basicConstraints CA:FALSE, keyUsage digitalSignature, extendedKeyUsage
// serverAuth and a subjectAltName listing every requested DNS name and IP.
// Thread-safety: thread-safe (no shared state).

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"

namespace vigie::crypto {

// What the demo certificate names unless told otherwise.
std::vector<std::string> DefaultDemoCertificateNames();  // localhost, 127.0.0.1, ::1

inline constexpr int kMaxSelfSignedCertificateDays = 825;

// Writes a fresh key pair and a self-signed certificate for `names` (DNS
// names and IPv4/IPv6 literals, the first one also the subject CN), valid
// from one hour ago (client clock skew) for `days` days.
// The key file is created with mode 0600 and the certificate 0644, both in
// PEM, both created exclusively: an existing file is never overwritten.
// Errors: InvalidArgument (no names, a malformed name, days outside
// [1, kMaxSelfSignedCertificateDays]); Conflict (either file exists; nothing
// is written); NotFound/PermissionDenied (directory missing or not writable);
// Internal (OpenSSL failure). On error no partial file is left behind.
Result<void> WriteSelfSignedCertificate(const std::filesystem::path& certificate_path,
                                        const std::filesystem::path& key_path,
                                        const std::vector<std::string>& names, int days);

}  // namespace vigie::crypto
