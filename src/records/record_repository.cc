#include "records/record_repository.h"

#include <cstring>
#include <string>

#include "records/internal/record_codec.h"
#include "records/internal/search_keys.h"

namespace vigie::records {
namespace {

constexpr std::string_view kRecordsPurpose = "records";
constexpr std::string_view kSearchPurpose = "search-index";

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Associated data binding a sealed blob to where it lives: its table, its own
// external reference and its parent person's (empty for a person).
std::vector<uint8_t> SealContext(std::string_view table, std::span<const uint8_t> ref,
                                 std::span<const uint8_t> parent_ref) {
  std::vector<uint8_t> ad;
  ad.reserve(16 + table.size() + ref.size() + parent_ref.size());
  std::string_view prefix = "vigie/v1/";
  ad.insert(ad.end(), prefix.begin(), prefix.end());
  ad.insert(ad.end(), table.begin(), table.end());
  ad.push_back('|');
  ad.insert(ad.end(), ref.begin(), ref.end());
  ad.push_back('|');
  ad.insert(ad.end(), parent_ref.begin(), parent_ref.end());
  return ad;
}

// "$1, $2, ..., $n" for a batched IN list (always bound, never interpolated).
std::string Placeholders(size_t n) {
  std::string list;
  for (size_t i = 1; i <= n; ++i) list += (i > 1 ? ", $" : "$") + std::to_string(i);
  return list;
}

std::vector<uint8_t> PackKeys(const std::vector<uint64_t>& keys) {
  std::vector<uint8_t> packed(keys.size() * sizeof(uint64_t));
  for (size_t i = 0; i < keys.size(); ++i) {
    for (int b = 0; b < 8; ++b) packed[i * 8 + b] = static_cast<uint8_t>(keys[i] >> (8 * b));
  }
  return packed;
}

}  // namespace

Result<RecordRepository> RecordRepository::Create(store::Connection& db,
                                                  const crypto::Keyring& keys) {
  ASSIGN_OR_RETURN(const crypto::DataKey* records, keys.Current(kRecordsPurpose));
  ASSIGN_OR_RETURN(const crypto::DataKey* search, keys.Current(kSearchPurpose));
  return RecordRepository(db, keys, std::make_unique<crypto::SearchKeyHasher>(search->siphash_key()),
                          records->id);
}

RecordRepository::RecordRepository(store::Connection& db, const crypto::Keyring& keys,
                                   std::unique_ptr<crypto::SearchKeyHasher> search_hasher,
                                   uint32_t records_key_id)
    : db_(&db), keys_(&keys), search_hasher_(std::move(search_hasher)),
      records_key_id_(records_key_id) {}

std::vector<uint8_t> RecordRepository::ExternalRef(std::string_view kind,
                                                   std::string_view external_id) const {
  // Security: the source system's id may itself be personal (a file number);
  // store only a keyed hash, enough to recognise a re-import.
  const crypto::DataKey* key = *keys_->Current(kSearchPurpose);
  std::string message = std::string(kind) + '\0' + std::string(external_id);
  auto digest = crypto::KeyedBlake2b(key->bytes(), AsBytes(message));
  return std::vector<uint8_t>(digest.begin(), digest.begin() + 16);
}

Result<std::optional<int64_t>> RecordRepository::FindId(std::string_view table,
                                                        std::span<const uint8_t> ref) {
  ASSIGN_OR_RETURN(store::Statement * find,
                   db_->Prepare("SELECT id FROM " + std::string(table) +
                                " WHERE external_ref = $1"));
  find->BindBlob(1, ref);
  ASSIGN_OR_RETURN(bool found, find->Step());
  if (!found) return std::optional<int64_t>();
  int64_t id = find->ColumnInt(0);
  RETURN_IF_ERROR(find->Run());
  return std::optional<int64_t>(id);
}

namespace {

std::string_view TableOf(PreparedRecord::Kind kind) {
  switch (kind) {
    case PreparedRecord::Kind::kPerson: return "person";
    case PreparedRecord::Kind::kWantedNotice: return "wanted_notice";
    case PreparedRecord::Kind::kRecordEntry: return "record_entry";
  }
  return "person";
}

}  // namespace

Result<PreparedRecord> RecordRepository::Prepare(const Person& person) const {
  PreparedRecord prepared;
  prepared.kind = PreparedRecord::Kind::kPerson;
  prepared.ref = ExternalRef("person", person.external_id);
  ASSIGN_OR_RETURN(const crypto::DataKey* key, keys_->ById(records_key_id_));
  prepared.key_id = key->id;
  prepared.sealed = crypto::Seal(key->bytes(), internal::EncodePerson(person),
                                 SealContext("person", prepared.ref, {}));
  internal::SearchKeyer keyer(*search_hasher_);
  internal::NameForms forms = internal::PersonForms(person);
  prepared.birth_tag = keyer.BirthTag(person.birth_date);
  prepared.keys = PackKeys(keyer.PersonKeys(forms, person.birth_date));
  prepared.names = PackKeys(keyer.VocabularyKeys(forms));
  return prepared;
}

template <typename Record>
Result<PreparedRecord> RecordRepository::PrepareChild(PreparedRecord::Kind kind,
                                                      std::string_view table,
                                                      std::string_view ref_kind,
                                                      const Record& record,
                                                      std::vector<uint8_t> plaintext) const {
  PreparedRecord prepared;
  prepared.kind = kind;
  prepared.ref = ExternalRef(ref_kind, record.external_id);
  prepared.parent_ref = ExternalRef("person", record.person_external_id);
  prepared.parent_external_id = record.person_external_id;
  ASSIGN_OR_RETURN(const crypto::DataKey* key, keys_->ById(records_key_id_));
  prepared.key_id = key->id;
  prepared.sealed =
      crypto::Seal(key->bytes(), plaintext, SealContext(table, prepared.ref, prepared.parent_ref));
  return prepared;
}

Result<PreparedRecord> RecordRepository::Prepare(const WantedNotice& notice) const {
  return PrepareChild(PreparedRecord::Kind::kWantedNotice, "wanted_notice", "notice", notice,
                      internal::EncodeWantedNotice(notice));
}

Result<PreparedRecord> RecordRepository::Prepare(const RecordEntry& entry) const {
  return PrepareChild(PreparedRecord::Kind::kRecordEntry, "record_entry", "entry", entry,
                      internal::EncodeRecordEntry(entry));
}

Result<RecordRepository::Applied> RecordRepository::Apply(const PreparedRecord& record) {
  std::string table(TableOf(record.kind));
  bool is_person = record.kind == PreparedRecord::Kind::kPerson;
  int64_t person_id = 0;
  if (!is_person) {
    ASSIGN_OR_RETURN(std::optional<int64_t> person, FindId("person", record.parent_ref));
    if (!person) {
      return Fail(ErrorCode::kNotFound,
                  "person_id '" + record.parent_external_id + "' matches no imported person");
    }
    person_id = *person;
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> existing, FindId(table, record.ref));
  int64_t id = 0;
  if (existing) {
    id = *existing;
    ASSIGN_OR_RETURN(store::Statement * update,
                     db_->Prepare(is_person ? "UPDATE person SET key_id = $2, sealed = $3 "
                                              "WHERE id = $1"
                                            : "UPDATE " + table +
                                                  " SET key_id = $2, sealed = $3, person_id = $4 "
                                                  "WHERE id = $1"));
    update->BindInt(1, id).BindInt(2, record.key_id).BindBlob(3, record.sealed);
    if (!is_person) update->BindInt(4, person_id);
    RETURN_IF_ERROR(update->Run());
  } else {
    ASSIGN_OR_RETURN(store::Statement * insert,
                     db_->Prepare(is_person ? "INSERT INTO person (external_ref, key_id, sealed) "
                                              "VALUES ($1, $2, $3) RETURNING id"
                                            : "INSERT INTO " + table +
                                                  " (external_ref, key_id, sealed, person_id) "
                                                  "VALUES ($1, $2, $3, $4) RETURNING id"));
    insert->BindBlob(1, record.ref).BindInt(2, record.key_id).BindBlob(3, record.sealed);
    if (!is_person) insert->BindInt(4, person_id);
    ASSIGN_OR_RETURN(bool row, insert->Step());
    if (!row) return Fail(ErrorCode::kInternal, "insert returned no id");
    id = insert->ColumnInt(0);
    RETURN_IF_ERROR(insert->Run());
  }
  if (is_person) {
    // Plain INSERT or UPDATE, not INSERT OR REPLACE: a REPLACE may delete rows,
    // which makes SQLite keep a statement journal for every row written.
    ASSIGN_OR_RETURN(store::Statement * postings,
                     db_->Prepare(existing ? "UPDATE person_search SET birth_tag = $2, keys = $3, "
                                             "names = $4 WHERE person_id = $1"
                                           : "INSERT INTO person_search "
                                             "(person_id, birth_tag, keys, names) "
                                             "VALUES ($1, $2, $3, $4)"));
    postings->BindInt(1, id).BindInt(2, record.birth_tag).BindBlob(3, record.keys);
    postings->BindBlob(4, record.names);
    RETURN_IF_ERROR(postings->Run());
  }
  return Applied{existing ? PutOutcome::kUpdated : PutOutcome::kInserted, id,
                 is_person ? id : person_id};
}

Result<PutOutcome> RecordRepository::PutPerson(Person& person) {
  ASSIGN_OR_RETURN(PreparedRecord prepared, Prepare(person));
  ASSIGN_OR_RETURN(Applied applied, Apply(prepared));
  person.id = applied.id;
  return applied.outcome;
}

template <typename Record>
Result<PutOutcome> RecordRepository::PutChild(Record& record) {
  ASSIGN_OR_RETURN(PreparedRecord prepared, Prepare(record));
  ASSIGN_OR_RETURN(Applied applied, Apply(prepared));
  record.id = applied.id;
  record.person_id = applied.person_id;
  return applied.outcome;
}

Result<PutOutcome> RecordRepository::PutWantedNotice(WantedNotice& notice) {
  return PutChild(notice);
}

Result<PutOutcome> RecordRepository::PutRecordEntry(RecordEntry& entry) {
  return PutChild(entry);
}

Result<std::vector<uint8_t>> RecordRepository::Unseal(std::string_view table,
                                                      std::span<const uint8_t> ref,
                                                      std::span<const uint8_t> parent_ref,
                                                      uint32_t key_id,
                                                      std::span<const uint8_t> sealed) {
  ASSIGN_OR_RETURN(const crypto::DataKey* key, keys_->ById(key_id));
  auto opened = crypto::Open(key->bytes(), sealed, SealContext(table, ref, parent_ref));
  if (!opened) {
    return Fail(ErrorCode::kDataLoss, "a " + std::string(table) + " row fails authentication");
  }
  return opened;
}

Result<Person> RecordRepository::GetPerson(int64_t id) {
  ASSIGN_OR_RETURN(std::vector<Person> persons, GetPersons(std::span(&id, 1)));
  if (persons.empty()) return Fail(ErrorCode::kNotFound, "no person " + std::to_string(id));
  return std::move(persons[0]);
}

Result<std::vector<Person>> RecordRepository::GetPersons(std::span<const int64_t> ids) {
  std::vector<Person> persons;
  if (ids.empty()) return persons;
  if (ids.size() > kMaxBatch) return Fail(ErrorCode::kInternal, "batch too large");
  ASSIGN_OR_RETURN(store::Statement * get,
                   db_->Prepare("SELECT id, key_id, sealed, external_ref FROM person WHERE id IN (" +
                                Placeholders(ids.size()) + ")"));
  for (size_t i = 0; i < ids.size(); ++i) get->BindInt(static_cast<int>(i + 1), ids[i]);
  while (true) {
    ASSIGN_OR_RETURN(bool row, get->Step());
    if (!row) break;
    ASSIGN_OR_RETURN(auto plain, Unseal("person", get->ColumnBlob(3), {},
                                        static_cast<uint32_t>(get->ColumnInt(1)),
                                        get->ColumnBlob(2)));
    ASSIGN_OR_RETURN(Person person, internal::DecodePerson(plain));
    person.id = get->ColumnInt(0);
    persons.push_back(std::move(person));
  }
  return persons;
}

Result<std::vector<WantedNotice>> RecordRepository::ReadNotices(store::Statement* rows) {
  std::vector<WantedNotice> notices;
  while (true) {
    ASSIGN_OR_RETURN(bool row, rows->Step());
    if (!row) break;
    ASSIGN_OR_RETURN(auto plain, Unseal("wanted_notice", rows->ColumnBlob(3), rows->ColumnBlob(4),
                                        static_cast<uint32_t>(rows->ColumnInt(2)),
                                        rows->ColumnBlob(5)));
    ASSIGN_OR_RETURN(WantedNotice notice, internal::DecodeWantedNotice(plain));
    notice.id = rows->ColumnInt(0);
    notice.person_id = rows->ColumnInt(1);
    notices.push_back(std::move(notice));
  }
  return notices;
}

Result<std::vector<WantedNotice>> RecordRepository::WantedNoticesOf(int64_t person_id) {
  ASSIGN_OR_RETURN(store::Statement * list,
                   db_->Prepare("SELECT n.id, n.person_id, n.key_id, n.external_ref, "
                                "p.external_ref, n.sealed FROM wanted_notice n "
                                "JOIN person p ON p.id = n.person_id WHERE n.person_id = $1 "
                                "ORDER BY n.id"));
  list->BindInt(1, person_id);
  return ReadNotices(list);
}

Result<std::vector<RecordEntry>> RecordRepository::RecordEntriesOf(int64_t person_id) {
  ASSIGN_OR_RETURN(store::Statement * list,
                   db_->Prepare("SELECT e.id, e.key_id, e.external_ref, p.external_ref, e.sealed "
                                "FROM record_entry e JOIN person p ON p.id = e.person_id "
                                "WHERE e.person_id = $1 ORDER BY e.id"));
  list->BindInt(1, person_id);
  std::vector<RecordEntry> entries;
  while (true) {
    ASSIGN_OR_RETURN(bool row, list->Step());
    if (!row) break;
    ASSIGN_OR_RETURN(auto plain, Unseal("record_entry", list->ColumnBlob(2), list->ColumnBlob(3),
                                        static_cast<uint32_t>(list->ColumnInt(1)),
                                        list->ColumnBlob(4)));
    ASSIGN_OR_RETURN(RecordEntry entry, internal::DecodeRecordEntry(plain));
    entry.id = list->ColumnInt(0);
    entry.person_id = person_id;
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<void> RecordRepository::ForEachWantedNotice(
    const std::function<void(const WantedNotice&)>& visit) {
  ASSIGN_OR_RETURN(store::Statement * all,
                   db_->Prepare("SELECT n.id, n.person_id, n.key_id, n.external_ref, "
                                "p.external_ref, n.sealed FROM wanted_notice n "
                                "JOIN person p ON p.id = n.person_id ORDER BY n.id"));
  ASSIGN_OR_RETURN(std::vector<WantedNotice> notices, ReadNotices(all));
  for (const auto& n : notices) visit(n);
  return {};
}

Result<void> RecordRepository::ForEachRecordEntryCount(
    const std::function<void(int64_t, int64_t)>& visit) {
  ASSIGN_OR_RETURN(store::Statement * counts,
                   db_->Prepare("SELECT person_id, count(*) FROM record_entry "
                                "GROUP BY person_id ORDER BY person_id"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, counts->Step());
    if (!row) break;
    visit(counts->ColumnInt(0), counts->ColumnInt(1));
  }
  return {};
}

Result<int64_t> RecordRepository::CountPersons() {
  ASSIGN_OR_RETURN(store::Statement * count, db_->Prepare("SELECT count(*) FROM person"));
  ASSIGN_OR_RETURN(bool row, count->Step());
  int64_t n = row ? count->ColumnInt(0) : 0;
  RETURN_IF_ERROR(count->Run());
  return n;
}

Result<void> RecordRepository::ForEachPostingSet(
    const std::function<void(int64_t, uint32_t, std::span<const uint8_t>,
                             std::span<const uint8_t>)>& visit) {
  ASSIGN_OR_RETURN(store::Statement * scan,
                   db_->Prepare("SELECT person_id, birth_tag, keys, names FROM person_search "
                                "ORDER BY person_id"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, scan->Step());
    if (!row) break;
    visit(scan->ColumnInt(0), static_cast<uint32_t>(scan->ColumnInt(1)), scan->ColumnBlob(2),
          scan->ColumnBlob(3));
  }
  return {};
}

}  // namespace vigie::records
