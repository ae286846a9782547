#include "crypto/signing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace vigie::crypto {
namespace {

struct Rfc8032Vector {
  const char* name;
  const char* secret_key;  // the 32-byte seed
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1.
const Rfc8032Vector kVectors[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
     "bbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e"
     "0303dca179c138ac17ad9bef1177331a704"},
};

std::vector<uint8_t> Hex(const char* hex) {
  auto r = HexDecode(hex);
  EXPECT_TRUE(r.has_value()) << hex;
  return r.value_or(std::vector<uint8_t>{});
}

TEST(Ed25519Test, Rfc8032Vectors) {
  for (const Rfc8032Vector& v : kVectors) {
    const std::vector<uint8_t> seed = Hex(v.secret_key);
    const std::vector<uint8_t> message = Hex(v.message);
    ASSERT_EQ(seed.size(), 32u) << v.name;
    Ed25519KeyPair pair = Ed25519KeyPair::FromSeed(std::span<const uint8_t, 32>(seed.data(), 32));
    EXPECT_EQ(HexEncode(pair.public_key()), v.public_key) << v.name;
    const Ed25519Signature sig = pair.Sign(message);
    EXPECT_EQ(HexEncode(sig), v.signature) << v.name;
    EXPECT_TRUE(Ed25519Verify(Hex(v.public_key), message, Hex(v.signature))) << v.name;
  }
}

TEST(Ed25519Test, ShaAbcMessageIsSha512OfAbc) {
  // Sanity check of the transcription: the RFC's message is SHA-512("abc"),
  // the FIPS 180-2 example digest.
  EXPECT_TRUE(std::string(kVectors[3].message).starts_with("ddaf35a193617aba"));
}

TEST(Ed25519Test, RejectsTamperedSignatureMessageOrKey) {
  const Rfc8032Vector& v = kVectors[1];
  const std::vector<uint8_t> pub = Hex(v.public_key);
  const std::vector<uint8_t> msg = Hex(v.message);
  const std::vector<uint8_t> sig = Hex(v.signature);
  for (size_t i = 0; i < sig.size(); ++i) {
    std::vector<uint8_t> bad = sig;
    bad[i] ^= 0x01;
    EXPECT_FALSE(Ed25519Verify(pub, msg, bad)) << "signature byte " << i;
  }
  std::vector<uint8_t> other_msg = msg;
  other_msg[0] ^= 0x80;
  EXPECT_FALSE(Ed25519Verify(pub, other_msg, sig));
  EXPECT_FALSE(Ed25519Verify(pub, {}, sig));
  EXPECT_FALSE(Ed25519Verify(Hex(kVectors[0].public_key), msg, sig));
}

TEST(Ed25519Test, RejectsWrongSizesAndDegenerateInput) {
  const Rfc8032Vector& v = kVectors[0];
  const std::vector<uint8_t> pub = Hex(v.public_key);
  const std::vector<uint8_t> sig = Hex(v.signature);
  EXPECT_FALSE(Ed25519Verify(std::span(pub).first(31), {}, sig));
  EXPECT_FALSE(Ed25519Verify(pub, {}, std::span(sig).first(63)));
  std::vector<uint8_t> long_sig = sig;
  long_sig.push_back(0);
  EXPECT_FALSE(Ed25519Verify(pub, {}, long_sig));
  EXPECT_FALSE(Ed25519Verify({}, {}, {}));
  // All-zero key (small order) and all-zero signature.
  EXPECT_FALSE(Ed25519Verify(std::vector<uint8_t>(32, 0), {}, std::vector<uint8_t>(64, 0)));
}

TEST(Ed25519Test, GeneratedKeysSignAndVerify) {
  Ed25519KeyPair a = Ed25519KeyPair::Generate();
  Ed25519KeyPair b = Ed25519KeyPair::Generate();
  EXPECT_NE(a.public_key(), b.public_key());
  const Ed25519Signature sig = a.Sign("checkpoint 42");
  EXPECT_TRUE(Ed25519Verify(a.public_key(), AsBytes("checkpoint 42"), sig));
  EXPECT_FALSE(Ed25519Verify(b.public_key(), AsBytes("checkpoint 42"), sig));
  EXPECT_EQ(a.Sign("checkpoint 42"), sig);  // deterministic
}

}  // namespace
}  // namespace vigie::crypto
