#include "webauthn/testing/software_authenticator.h"

#include <cbor.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace vigie::webauthn::test {
namespace {

struct Decref {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using Item = std::unique_ptr<cbor_item_t, Decref>;

cbor_item_t* BuildInteger(int64_t value) {
  if (value >= 0) return cbor_build_uint64(static_cast<uint64_t>(value));
  return cbor_build_negint64(static_cast<uint64_t>(-1 - value));
}

cbor_item_t* BuildBytes(const Bytes& bytes) {
  return cbor_build_bytestring(bytes.data(), bytes.size());
}

void Add(cbor_item_t* map, cbor_item_t* key, cbor_item_t* value) {
  if (!cbor_map_add(map, cbor_pair{cbor_move(key), cbor_move(value)})) {
    throw std::runtime_error("cbor_map_add failed");
  }
}

Bytes Serialize(const cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  size_t capacity = 0;
  size_t size = cbor_serialize_alloc(item, &buffer, &capacity);
  Bytes out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

void AppendBigEndian(Bytes& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void AppendDerInteger(Bytes& out, std::span<const uint8_t> magnitude) {
  size_t start = 0;
  while (start + 1 < magnitude.size() && magnitude[start] == 0) ++start;
  Bytes value(magnitude.begin() + static_cast<ptrdiff_t>(start), magnitude.end());
  if ((value[0] & 0x80) != 0) value.insert(value.begin(), 0x00);
  out.push_back(0x02);
  out.push_back(static_cast<uint8_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
}

}  // namespace

Bytes EncodeCoseKey(const std::vector<CoseEntry>& entries) {
  Item map(cbor_new_definite_map(entries.size()));
  for (const CoseEntry& entry : entries) {
    cbor_item_t* value = nullptr;
    if (const auto* integer = std::get_if<int64_t>(&entry.value)) value = BuildInteger(*integer);
    if (const auto* bytes = std::get_if<Bytes>(&entry.value)) value = BuildBytes(*bytes);
    if (const auto* flag = std::get_if<bool>(&entry.value)) value = cbor_build_bool(*flag);
    Add(map.get(), BuildInteger(entry.label), value);
  }
  return Serialize(map.get());
}

Bytes EncodeAttestationObject(std::string_view fmt, const Bytes& auth_data,
                              const Bytes& statement_cbor) {
  cbor_load_result result{};
  cbor_item_t* statement = cbor_load(statement_cbor.data(), statement_cbor.size(), &result);
  if (statement == nullptr) throw std::runtime_error("bad attStmt CBOR");
  Item map(cbor_new_definite_map(3));
  Add(map.get(), cbor_build_string("fmt"), cbor_build_stringn(fmt.data(), fmt.size()));
  Add(map.get(), cbor_build_string("attStmt"), statement);
  Add(map.get(), cbor_build_string("authData"), BuildBytes(auth_data));
  return Serialize(map.get());
}

Bytes EncodeTextBoolMap(std::string_view key, bool value) {
  Item map(cbor_new_definite_map(1));
  Add(map.get(), cbor_build_stringn(key.data(), key.size()), cbor_build_bool(value));
  return Serialize(map.get());
}

Bytes RawToDer(std::span<const uint8_t> raw) {
  Bytes content;
  AppendDerInteger(content, raw.first(32));
  AppendDerInteger(content, raw.subspan(32, 32));
  Bytes der{0x30, static_cast<uint8_t>(content.size())};
  der.insert(der.end(), content.begin(), content.end());
  return der;
}

std::string ClientDataJson(std::string_view type, std::span<const uint8_t> challenge,
                           std::string_view origin, std::string_view extra) {
  return R"({"type":")" + std::string(type) + R"(","challenge":")" +
         crypto::Base64UrlEncode(challenge) + R"(","origin":")" + std::string(origin) +
         R"(","crossOrigin":false)" + std::string(extra) + "}";
}

Bytes EncodeAuthenticatorData(const AuthenticatorDataFields& fields) {
  crypto::Sha256Digest rp_id_hash = crypto::Sha256(fields.rp_id);
  Bytes out(rp_id_hash.begin(), rp_id_hash.end());
  out.push_back(fields.flags);
  AppendBigEndian(out, fields.sign_count, 4);
  if (!fields.public_key_cose.empty()) {
    out.insert(out.end(), fields.aaguid.begin(), fields.aaguid.end());
    AppendBigEndian(out, fields.credential_id.size(), 2);
    out.insert(out.end(), fields.credential_id.begin(), fields.credential_id.end());
    out.insert(out.end(), fields.public_key_cose.begin(), fields.public_key_cose.end());
  }
  out.insert(out.end(), fields.extensions.begin(), fields.extensions.end());
  return out;
}

SoftwareAuthenticator::SoftwareAuthenticator(Algorithm algorithm)
    : algorithm_(algorithm),
      es256_(crypto::Es256PrivateKey::Generate()),
      ed25519_(crypto::Ed25519KeyPair::Generate()) {}

Bytes SoftwareAuthenticator::CoseKey() const {
  if (algorithm_ == Algorithm::kEs256) {
    const crypto::Es256PublicKey& key = es256_.public_key();
    return EncodeCoseKey({{1, int64_t{2}},
                          {3, int64_t{-7}},
                          {-1, int64_t{1}},
                          {-2, Bytes(key.x().begin(), key.x().end())},
                          {-3, Bytes(key.y().begin(), key.y().end())}});
  }
  const crypto::Ed25519PublicKey& key = ed25519_.public_key();
  return EncodeCoseKey(
      {{1, int64_t{1}}, {3, int64_t{-8}}, {-1, int64_t{6}}, {-2, Bytes(key.begin(), key.end())}});
}

Bytes SoftwareAuthenticator::Sign(std::span<const uint8_t> auth_data,
                                  std::string_view client_data_json) const {
  crypto::Sha256Digest hash = crypto::Sha256(client_data_json);
  Bytes message(auth_data.begin(), auth_data.end());
  message.insert(message.end(), hash.begin(), hash.end());
  if (algorithm_ == Algorithm::kEs256) return RawToDer(es256_.Sign(message));
  crypto::Ed25519Signature signature = ed25519_.Sign(message);
  return Bytes(signature.begin(), signature.end());
}

}  // namespace vigie::webauthn::test
