#include "records/internal/record_codec.h"

#include <string>

namespace vigie::records::internal {
namespace {

constexpr uint8_t kPersonV1 = 1;
constexpr uint8_t kNoticeV1 = 2;
constexpr uint8_t kEntryV1 = 3;
constexpr uint64_t kMaxString = 4096;
constexpr uint64_t kMaxListSize = 16;

class Writer {
 public:
  explicit Writer(uint8_t version) { out_.push_back(version); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<uint8_t>(v) | 0x80);
      v >>= 7;
    }
    out_.push_back(static_cast<uint8_t>(v));
  }
  void String(std::string_view s) {
    Varint(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void Date(const PartialDate& d) {
    Varint(static_cast<uint64_t>(d.year));
    Varint(static_cast<uint64_t>(d.month));
    Varint(static_cast<uint64_t>(d.day));
  }
  void Strings(const std::vector<std::string>& list) {
    Varint(list.size());
    for (const auto& s : list) String(s);
  }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}

  bool Version(uint8_t expected) {
    if (in_.empty() || in_[0] != expected) return ok_ = false;
    pos_ = 1;
    return true;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) break;
      uint8_t b = in_[pos_++];
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  int Small(int max) {
    uint64_t v = Varint();
    if (v > static_cast<uint64_t>(max)) {
      ok_ = false;
      return 0;
    }
    return static_cast<int>(v);
  }
  std::string String() {
    uint64_t n = Varint();
    if (!ok_ || n > kMaxString || n > in_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  PartialDate Date() {
    PartialDate d;
    d.year = Small(9999);
    d.month = Small(12);
    d.day = Small(31);
    return d;
  }
  std::vector<std::string> Strings() {
    uint64_t n = Varint();
    std::vector<std::string> list;
    if (n > kMaxListSize) {
      ok_ = false;
      return list;
    }
    for (uint64_t i = 0; i < n && ok_; ++i) list.push_back(String());
    return list;
  }
  template <typename E>
  E Enum(E last) {
    return static_cast<E>(Small(static_cast<int>(last)));
  }
  Result<void> Finish(std::string_view what) const {
    if (!ok_ || pos_ != in_.size()) {
      return Fail(ErrorCode::kDataLoss, "malformed " + std::string(what) + " record");
    }
    return {};
  }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::vector<uint8_t> EncodePerson(const Person& p) {
  Writer w(kPersonV1);
  w.String(p.external_id);
  w.String(p.surname);
  w.Strings(p.given_names);
  w.Date(p.birth_date);
  w.String(p.birth_place);
  w.Varint(static_cast<uint64_t>(p.sex));
  w.String(p.nationality);
  w.Strings(p.aliases);
  return w.Take();
}

Result<Person> DecodePerson(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  Person p;
  if (r.Version(kPersonV1)) {
    p.external_id = r.String();
    p.surname = r.String();
    p.given_names = r.Strings();
    p.birth_date = r.Date();
    p.birth_place = r.String();
    p.sex = r.Enum(Sex::kMale);
    p.nationality = r.String();
    p.aliases = r.Strings();
  }
  RETURN_IF_ERROR(r.Finish("person"));
  return p;
}

std::vector<uint8_t> EncodeWantedNotice(const WantedNotice& n) {
  Writer w(kNoticeV1);
  w.String(n.external_id);
  w.String(n.person_external_id);
  w.Varint(static_cast<uint64_t>(n.reason));
  w.String(n.issuing_authority);
  w.String(n.reference);
  w.Date(n.valid_from);
  w.Date(n.valid_until);
  w.Varint(static_cast<uint64_t>(n.conduct));
  return w.Take();
}

Result<WantedNotice> DecodeWantedNotice(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  WantedNotice n;
  if (r.Version(kNoticeV1)) {
    n.external_id = r.String();
    n.person_external_id = r.String();
    n.reason = r.Enum(WantedReason::kWitness);
    n.issuing_authority = r.String();
    n.reference = r.String();
    n.valid_from = r.Date();
    n.valid_until = r.Date();
    n.conduct = r.Enum(Conduct::kProtect);
  }
  RETURN_IF_ERROR(r.Finish("wanted notice"));
  return n;
}

std::vector<uint8_t> EncodeRecordEntry(const RecordEntry& e) {
  Writer w(kEntryV1);
  w.String(e.external_id);
  w.String(e.person_external_id);
  w.Varint(static_cast<uint64_t>(e.category));
  w.Date(e.date);
  w.Varint(static_cast<uint64_t>(e.role));
  w.String(e.case_reference);
  w.String(e.recording_service);
  return w.Take();
}

Result<RecordEntry> DecodeRecordEntry(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  RecordEntry e;
  if (r.Version(kEntryV1)) {
    e.external_id = r.String();
    e.person_external_id = r.String();
    e.category = r.Enum(OffenceCategory::kOther);
    e.date = r.Date();
    e.role = r.Enum(EntryRole::kVictim);
    e.case_reference = r.String();
    e.recording_service = r.String();
  }
  RETURN_IF_ERROR(r.Finish("record entry"));
  return e;
}

}  // namespace vigie::records::internal
