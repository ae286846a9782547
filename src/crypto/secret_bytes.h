#pragma once
// SecretBytes: the one type that holds key material, seeds and other secrets in
// memory. It zeroes its buffer (sodium_memzero) when destroyed or moved from,
// cannot be copied implicitly (use Clone()) and has no printing operator, so a
// secret cannot reach a log by accident.
//
// Also: InitCrypto(), which every entry point of this component calls, and
// ConstantTimeEquals() for comparing secrets.
//
// Thread-safety: InitCrypto() and ConstantTimeEquals() are thread-safe. A
// SecretBytes is a value: concurrent const access is safe, mutation is not.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace vigie::crypto {

// Initialises libsodium once per process (thread-safe, idempotent). Every public
// function of this component calls it, so callers never need to; it is exposed
// for programs that want to fail at start-up rather than on first use.
// Aborts the process if libsodium cannot initialise (no usable CSPRNG): running
// without one would be worse than not running.
void InitCrypto();

class SecretBytes {
 public:
  // An empty secret.
  SecretBytes() = default;
  // `n` zero bytes, to be filled through mutable_view().
  explicit SecretBytes(size_t n);
  // A copy of `bytes`. The caller remains responsible for wiping its own copy.
  explicit SecretBytes(std::span<const uint8_t> bytes);

  // `n` bytes from the OS CSPRNG.
  static SecretBytes Random(size_t n);

  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  // Security: no implicit copies, so the number of copies of a key stays visible
  // in the code. Clone() when a second owner is really needed.
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes Clone() const;

  std::span<const uint8_t> view() const { return {data_.get(), size_}; }
  std::span<uint8_t> mutable_view() { return {data_.get(), size_}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  void Wipe();

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

// Zeroes `bytes` where the compiler cannot skip it: for a derived key a
// caller keeps in a fixed-size array (a SecretBytes wipes itself).
void WipeBytes(std::span<uint8_t> bytes);

// A secret's lower-case hex, a secret too (a key file written as text).
SecretBytes HexEncodeSecret(std::span<const uint8_t> secret);
// The `size` bytes `hex` (either case) spells, exactly and nothing more;
// nullopt otherwise. Decoded into the SecretBytes, no copy left unwiped.
std::optional<SecretBytes> HexDecodeSecret(std::span<const uint8_t> hex, size_t size);

// True iff `a` and `b` have the same length and contents. The time taken depends
// only on the length, never on where the first difference is.
// Security: use this (never == or memcmp) for MACs, tokens and codes, so a timing
// side channel cannot reveal how many leading bytes of a guess were right.
bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace vigie::crypto
