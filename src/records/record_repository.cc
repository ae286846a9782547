#include "records/record_repository.h"

#include <cstring>
#include <string>

#include "records/internal/record_codec.h"
#include "records/internal/search_keys.h"
#include "store/advisory_key.h"

namespace vigie::records {
namespace {

constexpr std::string_view kRecordsPurpose = "records";
constexpr std::string_view kSearchPurpose = "search-index";

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

Result<void> Continuing(const std::stop_token& stop) {
  if (stop.stop_requested()) return Fail(ErrorCode::kUnavailable, "stopped");
  return {};
}

Result<store::Transaction> BeginRecordsWrite(store::Connection& db) {
  if (db.dialect() != store::Dialect::kPostgres) return store::Transaction::Begin(db);
  // Keyed by the schema the records are in: advisory locks span the whole
  // database, and another installation on it has writers of its own.
  ASSIGN_OR_RETURN(store::Statement * schema, db.Prepare("SELECT current_schema()"));
  ASSIGN_OR_RETURN(const bool row, schema->Step());
  const std::string name = row ? std::string(schema->ColumnText(0)) : "";
  RETURN_IF_ERROR(schema->Run());
  return store::Transaction::BeginQueued(db, store::AdvisoryKey("records write", name));
}

namespace {

// A page of none would never move on (and SQLite reads LIMIT -1 as no limit).
Result<void> CheckPageRows(int64_t page_rows) {
  if (page_rows < 1) return Fail(ErrorCode::kInvalidArgument, "a page holds at least one row");
  return {};
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
  auto digest = crypto::KeyedBlake2b(key->bytes(), crypto::AsBytes(message));
  return std::vector<uint8_t>(digest.begin(), digest.begin() + 16);
}

Result<std::optional<int64_t>> RecordRepository::FindId(std::string_view find_sql,
                                                        std::span<const uint8_t> ref) {
  ASSIGN_OR_RETURN(store::Statement * find, db_->Prepare(find_sql));
  find->BindBlob(1, ref);
  ASSIGN_OR_RETURN(bool found, find->Step());
  if (!found) return std::optional<int64_t>();
  int64_t id = find->ColumnInt(0);
  RETURN_IF_ERROR(find->Run());
  return std::optional<int64_t>(id);
}

namespace {

// The statements that write one kind of record, built once: the write path
// runs them millions of times during an import.
struct TableSql {
  std::string find, insert, insert_new, update, next_id, drop_ref_index, create_ref_index;
};

TableSql MakeTableSql(std::string_view table, bool child) {
  std::string t(table);
  std::string columns = std::string("id, external_ref, key_id, sealed") + (child ? ", person_id" : "");
  std::string values = child ? "$1, $2, $3, $4, $5" : "$1, $2, $3, $4";
  // Must match the index in the schema's migration (store/schema.cc).
  std::string ref_index = t + "_by_ref";
  return {
      .find = "SELECT id FROM " + t + " WHERE external_ref = $1",
      // Insert first, with an id chosen by the caller: a new row then costs
      // one index search, and no RETURNING (which SQLite buffers in a
      // temporary table). Bulk imports are almost all new rows.
      .insert = "INSERT INTO " + t + " (" + columns + ") VALUES (" + values +
                ") ON CONFLICT (external_ref) DO NOTHING",
      .insert_new = "INSERT INTO " + t + " (" + columns + ") VALUES (" + values + ")",
      .update = "UPDATE " + t + " SET key_id = $2, sealed = $3" +
                (child ? ", person_id = $4" : "") + " WHERE id = $1",
      .next_id = "SELECT coalesce(max(id), 0) + 1 FROM " + t,
      .drop_ref_index = "DROP INDEX " + ref_index,
      .create_ref_index = "CREATE UNIQUE INDEX " + ref_index + " ON " + t + "(external_ref)",
  };
}

const TableSql& SqlFor(PreparedRecord::Kind kind) {
  static const TableSql person = MakeTableSql("person", false);
  static const TableSql notice = MakeTableSql("wanted_notice", true);
  static const TableSql entry = MakeTableSql("record_entry", true);
  switch (kind) {
    case PreparedRecord::Kind::kPerson: return person;
    case PreparedRecord::Kind::kWantedNotice: return notice;
    case PreparedRecord::Kind::kRecordEntry: return entry;
  }
  return person;
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

namespace {

void BindRow(store::Statement& insert, int64_t id, const PreparedRecord& record, int64_t person_id) {
  insert.BindInt(1, id).BindBlob(2, record.ref).BindInt(3, record.key_id);
  insert.BindBlob(4, record.sealed);
  if (record.kind != PreparedRecord::Kind::kPerson) insert.BindInt(5, person_id);
}

constexpr PreparedRecord::Kind kAllKinds[] = {PreparedRecord::Kind::kPerson,
                                              PreparedRecord::Kind::kWantedNotice,
                                              PreparedRecord::Kind::kRecordEntry};

}  // namespace

int64_t& RecordRepository::FreeIds::For(PreparedRecord::Kind kind) {
  switch (kind) {
    case PreparedRecord::Kind::kPerson: return person;
    case PreparedRecord::Kind::kWantedNotice: return notice;
    case PreparedRecord::Kind::kRecordEntry: return entry;
  }
  return person;
}

Result<int64_t> RecordRepository::NextFreeId(PreparedRecord::Kind kind) {
  ASSIGN_OR_RETURN(store::Statement * next, db_->Prepare(SqlFor(kind).next_id));
  ASSIGN_OR_RETURN(bool row, next->Step());
  if (!row) return Fail(ErrorCode::kInternal, "max(id) returned no row");
  int64_t id = next->ColumnInt(0);
  RETURN_IF_ERROR(next->Run());
  return id;
}

Result<RecordRepository::FreeIds> RecordRepository::NextFreeIds() {
  FreeIds ids;
  for (auto kind : kAllKinds) {
    ASSIGN_OR_RETURN(ids.For(kind), NextFreeId(kind));
  }
  return ids;
}

Error RecordRepository::UnknownPerson(const PreparedRecord& record) {
  return Error(ErrorCode::kNotFound,
               "person_id '" + record.parent_external_id + "' matches no imported person");
}

Result<void> RecordRepository::SuspendRefIndexes() {
  for (auto kind : kAllKinds) RETURN_IF_ERROR(db_->ExecuteScript(SqlFor(kind).drop_ref_index));
  return {};
}

Result<void> RecordRepository::RestoreRefIndexes() {
  for (auto kind : kAllKinds) RETURN_IF_ERROR(db_->ExecuteScript(SqlFor(kind).create_ref_index));
  return {};
}

Result<RecordRepository::Applied> RecordRepository::Apply(const PreparedRecord& record,
                                                          const ApplyHints& hints) {
  const TableSql& sql = SqlFor(record.kind);
  bool is_person = record.kind == PreparedRecord::Kind::kPerson;
  int64_t person_id = 0;
  if (!is_person) {
    std::optional<int64_t> person = hints.person_id;
    if (!person) {
      ASSIGN_OR_RETURN(person, FindId(SqlFor(PreparedRecord::Kind::kPerson).find, record.parent_ref));
    }
    if (!person) return std::unexpected(UnknownPerson(record));
    person_id = *person;
  }
  using Row = ApplyHints::Row;
  int64_t id = hints.row_id.value_or(0);
  bool inserted = false;
  if (hints.row == Row::kNew) {
    ASSIGN_OR_RETURN(store::Statement * insert, db_->Prepare(sql.insert_new));
    BindRow(*insert, id, record, person_id);
    RETURN_IF_ERROR(insert->Run());
    inserted = true;
  } else if (hints.row == Row::kUnknown) {
    if (!hints.row_id) {
      ASSIGN_OR_RETURN(id, NextFreeId(record.kind));
    }
    ASSIGN_OR_RETURN(store::Statement * insert, db_->Prepare(sql.insert));
    BindRow(*insert, id, record, person_id);
    ASSIGN_OR_RETURN(int64_t changed, insert->Run());
    inserted = changed == 1;
    if (!inserted) {
      ASSIGN_OR_RETURN(std::optional<int64_t> existing, FindId(sql.find, record.ref));
      if (!existing) return Fail(ErrorCode::kInternal, "row neither inserted nor found");
      id = *existing;
    }
  }
  if (!inserted) {
    ASSIGN_OR_RETURN(store::Statement * update, db_->Prepare(sql.update));
    update->BindInt(1, id).BindInt(2, record.key_id).BindBlob(3, record.sealed);
    if (!is_person) update->BindInt(4, person_id);
    RETURN_IF_ERROR(update->Run());
  }
  if (is_person) {
    // Plain INSERT or UPDATE, not INSERT OR REPLACE: a REPLACE may delete rows,
    // which makes SQLite keep a statement journal for every row written.
    ASSIGN_OR_RETURN(store::Statement * postings,
                     db_->Prepare(!inserted ? "UPDATE person_search SET birth_tag = $2, keys = $3, "
                                             "names = $4 WHERE person_id = $1"
                                           : "INSERT INTO person_search "
                                             "(person_id, birth_tag, keys, names) "
                                             "VALUES ($1, $2, $3, $4)"));
    postings->BindInt(1, id).BindInt(2, record.birth_tag).BindBlob(3, record.keys);
    postings->BindBlob(4, record.names);
    RETURN_IF_ERROR(postings->Run());
  }
  return Applied{inserted ? PutOutcome::kInserted : PutOutcome::kUpdated, id,
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
                                                      std::span<const uint8_t> sealed) const {
  Result<const crypto::DataKey*> found = keys_->ById(key_id);
  // Not the caller's NotFound (an agent would read "no such person", a
  // wanted person as not wanted): this node cannot read what is stored.
  if (!found) {
    return Fail(ErrorCode::kDataLoss, "a " + std::string(table) + " row is sealed under key " +
                                          std::to_string(key_id) +
                                          ", which this node's key file lacks");
  }
  const crypto::DataKey* key = *found;
  // Security: only a records key opens records, whatever id the row names.
  if (key->purpose != crypto::kPurposeRecords) {
    return Fail(ErrorCode::kDataLoss,
                "a " + std::string(table) + " row names a key of another purpose");
  }
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
    ASSIGN_OR_RETURN(Person person,
                     OpenPerson({.id = get->ColumnInt(0),
                                 .key_id = static_cast<uint32_t>(get->ColumnInt(1)),
                                 .ref = get->ColumnBlob(3),
                                 .sealed = get->ColumnBlob(2)}));
    persons.push_back(std::move(person));
  }
  return persons;
}

Result<Person> RecordRepository::OpenPerson(const SealedPerson& row) const {
  ASSIGN_OR_RETURN(auto plain, Unseal("person", row.ref, {}, row.key_id, row.sealed));
  ASSIGN_OR_RETURN(Person person, internal::DecodePerson(plain));
  person.id = row.id;
  return person;
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
    const std::function<void(const WantedNotice&)>& visit, int64_t page_rows,
    const std::stop_token& stop) {
  RETURN_IF_ERROR(CheckPageRows(page_rows));
  int64_t after = 0;
  while (true) {
    RETURN_IF_ERROR(Continuing(stop));
    ASSIGN_OR_RETURN(store::Statement * page,
                     db_->Prepare("SELECT n.id, n.person_id, n.key_id, n.external_ref, "
                                  "p.external_ref, n.sealed FROM wanted_notice n "
                                  "JOIN person p ON p.id = n.person_id WHERE n.id > $1 "
                                  "ORDER BY n.id LIMIT $2"));
    page->BindInt(1, after).BindInt(2, page_rows);
    ASSIGN_OR_RETURN(std::vector<WantedNotice> notices, ReadNotices(page));
    for (const auto& n : notices) visit(n);
    if (static_cast<int64_t>(notices.size()) < page_rows) return {};
    after = notices.back().id;
  }
}

Result<void> RecordRepository::ForEachRecordEntryCount(
    const std::function<void(int64_t, int64_t)>& visit, int64_t page_rows,
    const std::stop_token& stop) {
  RETURN_IF_ERROR(CheckPageRows(page_rows));
  int64_t after = 0;
  while (true) {
    RETURN_IF_ERROR(Continuing(stop));
    ASSIGN_OR_RETURN(store::Statement * page,
                     db_->Prepare("SELECT person_id, count(*) FROM record_entry "
                                  "WHERE person_id > $1 GROUP BY person_id "
                                  "ORDER BY person_id LIMIT $2"));
    page->BindInt(1, after).BindInt(2, page_rows);
    int64_t rows = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool row, page->Step());
      if (!row) break;
      ++rows;
      after = page->ColumnInt(0);
      visit(after, page->ColumnInt(1));
    }
    if (rows < page_rows) return {};
  }
}

Result<int64_t> RecordRepository::CountPersons() {
  ASSIGN_OR_RETURN(store::Statement * count, db_->Prepare("SELECT count(*) FROM person"));
  ASSIGN_OR_RETURN(bool row, count->Step());
  int64_t n = row ? count->ColumnInt(0) : 0;
  RETURN_IF_ERROR(count->Run());
  return n;
}

Result<int64_t> RecordRepository::Generation() {
  ASSIGN_OR_RETURN(store::Statement * read,
                   db_->Prepare("SELECT coalesce(max(generation), 0) FROM records_generation"));
  ASSIGN_OR_RETURN(bool row, read->Step());
  int64_t generation = row ? read->ColumnInt(0) : 0;
  RETURN_IF_ERROR(read->Run());
  return generation;
}

Result<void> RecordRepository::AdvanceGeneration() {
  ASSIGN_OR_RETURN(store::Statement * advance,
                   db_->Prepare("INSERT INTO records_generation (id, generation) VALUES (1, 1) "
                                "ON CONFLICT (id) DO UPDATE "
                                "SET generation = records_generation.generation + 1"));
  RETURN_IF_ERROR(advance->Run());
  return {};
}

Result<void> RecordRepository::ForEachPostingSet(
    const std::function<void(const SealedPerson&, uint32_t, std::span<const uint8_t>,
                             std::span<const uint8_t>)>& visit,
    int64_t page_rows, const std::stop_token& stop) {
  RETURN_IF_ERROR(CheckPageRows(page_rows));
  int64_t after = 0;
  while (true) {
    RETURN_IF_ERROR(Continuing(stop));
    // Both tables are keyed by person id: the join walks them side by side.
    ASSIGN_OR_RETURN(store::Statement * scan,
                     db_->Prepare("SELECT s.person_id, s.birth_tag, s.keys, s.names, p.key_id, "
                                  "p.external_ref, p.sealed FROM person_search s "
                                  "JOIN person p ON p.id = s.person_id WHERE s.person_id > $1 "
                                  "ORDER BY s.person_id LIMIT $2"));
    scan->BindInt(1, after).BindInt(2, page_rows);
    int64_t rows = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool row, scan->Step());
      if (!row) break;
      SealedPerson person{.id = scan->ColumnInt(0),
                          .key_id = static_cast<uint32_t>(scan->ColumnInt(4)),
                          .ref = scan->ColumnBlob(5),
                          .sealed = scan->ColumnBlob(6)};
      visit(person, static_cast<uint32_t>(scan->ColumnInt(1)), scan->ColumnBlob(2),
            scan->ColumnBlob(3));
      after = person.id;
      ++rows;
    }
    if (rows < page_rows) return {};
  }
}

}  // namespace vigie::records
