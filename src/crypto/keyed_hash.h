#pragma once
// Keyed hashes (PRFs): a value that only holders of the key can compute, so a
// stolen table of hashes cannot be reversed by hashing candidate inputs.
//
//   SearchKeyHasher  SipHash-2-4, 64-bit output, for search-index keys (blind
//                    indexes over names and phonetic keys). Cheap and
//                    allocation-free: a search computes it ~1000 times.
//   KeyedBlake2b     BLAKE2b-256 with a 32-byte key, for longer-lived keyed
//                    digests where 64 bits would be too few.
//
// Thread-safety: a SearchKeyHasher may be shared between threads (its hashes
// are const and touch no shared state); KeyedBlake2b is thread-safe.
// Errors: none; key sizes are enforced by the types.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace vigie::crypto {

class SearchKeyHasher {
 public:
  static constexpr size_t kKeySize = 16;

  // Security: the key is the search-index data key (its first 16 bytes); it is
  // what stops someone holding a database dump from hashing every name in a
  // phone book and joining the results against the index.
  explicit SearchKeyHasher(std::span<const uint8_t, kKeySize> key);
  ~SearchKeyHasher();
  SearchKeyHasher(const SearchKeyHasher&) = delete;
  SearchKeyHasher& operator=(const SearchKeyHasher&) = delete;
  SearchKeyHasher(SearchKeyHasher&&) noexcept = default;
  SearchKeyHasher& operator=(SearchKeyHasher&&) noexcept = default;

  // SipHash-2-4(key, data), read as a little-endian u64 (the reference
  // implementation's convention). Never allocates.
  uint64_t Hash(std::string_view data) const;
  // Hash of the 16 bytes of `first` then `second`, each little-endian.
  uint64_t HashWords(uint64_t first, uint64_t second) const;

 private:
  std::array<uint8_t, kKeySize> key_;
  uint64_t k0_ = 0, k1_ = 0;  // the key as two little-endian words
};

inline constexpr size_t kBlake2bKeySize = 32;

// BLAKE2b with a 32-byte key and a 32-byte output (libsodium crypto_generichash).
std::array<uint8_t, 32> KeyedBlake2b(std::span<const uint8_t, kBlake2bKeySize> key,
                                     std::span<const uint8_t> data);
std::array<uint8_t, 32> KeyedBlake2b(std::span<const uint8_t, kBlake2bKeySize> key,
                                     std::string_view data);

}  // namespace vigie::crypto
