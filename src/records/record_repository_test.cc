#include "records/record_repository.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/support/matchers.h"
#include "tests/support/records_db.h"

namespace vigie::records {
namespace {

using ::vigie::testing::ErrorCodeIs;

Person Sample(std::string id = "P1") {
  Person p;
  p.external_id = std::move(id);
  p.surname = "Moreau";
  p.given_names = {"Hélène"};
  p.birth_date = {1985, 7, 14};
  p.birth_place = "Nantes (44)";
  p.sex = Sex::kFemale;
  p.nationality = "FRA";
  return p;
}

Result<int64_t> Put(RecordRepository& repo, store::Connection& db, Person& p) {
  ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db));
  RETURN_IF_ERROR(repo.PutPerson(p));
  RETURN_IF_ERROR(tx.Commit());
  return p.id;
}

// An import plans its ids above today's maximum at its start: another
// writer (decoys planted meanwhile) must wait for it, on either backend.
TEST(RecordRepositoryTest, RecordsWritersTakeTurns) {
  testing::RecordsDb t;
  auto other_db = store::Open(t.database.url());
  ASSERT_OK(other_db);
  auto other = RecordRepository::Create(**other_db, t.keyring);
  ASSERT_OK(other);
  auto first = BeginRecordsWrite(*t.db);
  ASSERT_OK(first);
  auto planned = t.repository->NextFreeIds();
  ASSERT_OK(planned);
  std::atomic<bool> second_committed = false;
  Result<int64_t> second_id = Fail(ErrorCode::kInternal, "not run");
  std::thread second([&] {
    second_id = [&]() -> Result<int64_t> {
      ASSIGN_OR_RETURN(auto tx, BeginRecordsWrite(**other_db));
      Person p = Sample("P2");
      RETURN_IF_ERROR(other->PutPerson(p));
      RETURN_IF_ERROR(tx.Commit());
      return p.id;
    }();
    second_committed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(second_committed.load()) << "the second writer did not wait";
  Person mine = Sample("P1");
  EXPECT_OK(t.repository->PutPerson(mine));
  EXPECT_EQ(mine.id, planned->person);
  EXPECT_OK(first->Commit());
  second.join();
  ASSERT_OK(second_id);
  EXPECT_NE(*second_id, mine.id);
}

TEST(RecordRepositoryTest, StoresAndReadsBackSealedPerson) {
  testing::RecordsDb t;
  Person p = Sample();
  ASSERT_OK(Put(*t.repository, *t.db, p));
  auto read = t.repository->GetPerson(p.id);
  ASSERT_OK(read);
  EXPECT_EQ(*read, p);
  EXPECT_THAT(t.repository->GetPerson(999), ErrorCodeIs(ErrorCode::kNotFound));
}

TEST(RecordRepositoryTest, ReimportUpdatesInPlace) {
  testing::RecordsDb t;
  Person p = Sample();
  ASSERT_OK(Put(*t.repository, *t.db, p));
  Person changed = Sample();
  changed.birth_place = "Rennes (35)";
  auto tx = store::Transaction::Begin(*t.db);
  EXPECT_EQ(*t.repository->PutPerson(changed), PutOutcome::kUpdated);
  ASSERT_OK(tx->Commit());
  EXPECT_EQ(changed.id, p.id);
  EXPECT_EQ(*t.repository->CountPersons(), 1);
  EXPECT_EQ(t.repository->GetPerson(p.id)->birth_place, "Rennes (35)");
}

TEST(RecordRepositoryTest, ChildrenNeedAnExistingPerson) {
  testing::RecordsDb t;
  Person p = Sample();
  ASSERT_OK(Put(*t.repository, *t.db, p));
  auto tx = store::Transaction::Begin(*t.db);
  RecordEntry e;
  e.external_id = "R1";
  e.person_external_id = "nobody";
  EXPECT_THAT(t.repository->PutRecordEntry(e), ErrorCodeIs(ErrorCode::kNotFound));
  e.person_external_id = "P1";
  e.date = {2020, 1, 1};
  e.case_reference = "2020/1";
  e.recording_service = "BRI Paris";
  EXPECT_EQ(*t.repository->PutRecordEntry(e), PutOutcome::kInserted);
  WantedNotice n;
  n.external_id = "W1";
  n.person_external_id = "P1";
  n.issuing_authority = "Parquet de Paris";
  n.reference = "X";
  n.valid_from = {2025, 1, 1};
  EXPECT_EQ(*t.repository->PutWantedNotice(n), PutOutcome::kInserted);
  ASSERT_OK(tx->Commit());
  std::vector<std::pair<int64_t, int64_t>> counts;
  ASSERT_OK(t.repository->ForEachRecordEntryCount(
      [&](int64_t person, int64_t count) { counts.emplace_back(person, count); }));
  EXPECT_EQ(counts, (std::vector<std::pair<int64_t, int64_t>>{{p.id, 1}}));
  std::vector<int64_t> notice_owners;
  ASSERT_OK(t.repository->ForEachWantedNotice(
      [&](const WantedNotice& notice) { notice_owners.push_back(notice.person_id); }));
  EXPECT_EQ(notice_owners, std::vector<int64_t>{p.id});
  auto entries = t.repository->RecordEntriesOf(p.id);
  ASSERT_OK(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].recording_service, "BRI Paris");
  EXPECT_EQ(t.repository->WantedNoticesOf(p.id)->size(), 1u);
}

TEST(RecordRepositoryTest, TamperedOrMovedCiphertextIsDataLoss) {
  testing::RecordsDb t;
  Person a = Sample("A"), b = Sample("B");
  b.surname = "Garnier";
  ASSERT_OK(Put(*t.repository, *t.db, a));
  ASSERT_OK(Put(*t.repository, *t.db, b));
  // Moving B's sealed blob into A's row must not make A read as B.
  ASSERT_OK(t.db->ExecuteScript(
      "UPDATE person SET sealed = (SELECT sealed FROM person WHERE id = 2) WHERE id = 1"));
  EXPECT_THAT(t.repository->GetPerson(1), ErrorCodeIs(ErrorCode::kDataLoss));
  // Changing one ciphertext byte is caught too (to 00, or to 01 when it was
  // 00 already: the ciphertext is random, so 1 run in 256 met a 00 there).
  const std::string zero = store::testing::BytesLiteral(t.db->dialect(), "00");
  const std::string one = store::testing::BytesLiteral(t.db->dialect(), "01");
  ASSERT_OK(t.db->ExecuteScript(
      "UPDATE person SET sealed = substr(sealed, 1, 30) || CASE WHEN "
      "substr(sealed, 31, 1) = " +
      zero + " THEN " + one + " ELSE " + zero + " END || substr(sealed, 32) WHERE id = 2"));
  EXPECT_THAT(t.repository->GetPerson(2), ErrorCodeIs(ErrorCode::kDataLoss));
}

// A row sealed again under a key of another purpose (the search-index key,
// which also serves elsewhere), its key id changed to match, is refused.
TEST(RecordRepositoryTest, ARowNamingAKeyOfAnotherPurposeIsDataLoss) {
  testing::RecordsDb t;
  Person p = Sample();
  ASSERT_OK(Put(*t.repository, *t.db, p));
  auto records_key = t.keyring.Current(crypto::kPurposeRecords);
  auto other_key = t.keyring.Current(crypto::kPurposeSearchIndex);
  ASSERT_OK(records_key);
  ASSERT_OK(other_key);
  auto row = t.db->Prepare("SELECT external_ref, sealed FROM person WHERE id = $1");
  ASSERT_OK(row);
  (*row)->BindInt(1, p.id);
  ASSERT_TRUE(*(*row)->Step());
  const std::span<const uint8_t> ref_column = (*row)->ColumnBlob(0);
  const std::span<const uint8_t> sealed_column = (*row)->ColumnBlob(1);
  const std::vector<uint8_t> ref(ref_column.begin(), ref_column.end());
  const std::vector<uint8_t> sealed(sealed_column.begin(), sealed_column.end());
  ASSERT_FALSE(*(*row)->Step());
  // The associated data as docs/formats/database.md gives it.
  std::vector<uint8_t> context;
  for (char c : std::string_view("vigie/v1/person|")) context.push_back(static_cast<uint8_t>(c));
  context.insert(context.end(), ref.begin(), ref.end());
  context.push_back('|');
  auto plain = crypto::Open((*records_key)->bytes(), sealed, context);
  ASSERT_TRUE(plain.has_value());
  const std::vector<uint8_t> resealed = crypto::Seal((*other_key)->bytes(), *plain, context);
  auto update = t.db->Prepare("UPDATE person SET key_id = $1, sealed = $2 WHERE id = $3");
  ASSERT_OK(update);
  (*update)->BindInt(1, (*other_key)->id);
  (*update)->BindBlob(2, resealed);
  (*update)->BindInt(3, p.id);
  ASSERT_OK((*update)->Run());
  EXPECT_THAT(t.repository->GetPerson(p.id), ErrorCodeIs(ErrorCode::kDataLoss));
}

// A row sealed under a key this node's key file lacks (a rotation's key
// not copied to it) is a failure of ours, not "no such person".
TEST(RecordRepositoryTest, ARowUnderAKeyThisNodeLacksIsDataLoss) {
  testing::RecordsDb t;
  Person p = Sample();
  ASSERT_OK(Put(*t.repository, *t.db, p));
  ASSERT_OK(
      t.db->ExecuteScript("UPDATE person SET key_id = 999 WHERE id = " + std::to_string(p.id)));
  auto read = t.repository->GetPerson(p.id);
  ASSERT_THAT(read, ErrorCodeIs(ErrorCode::kDataLoss));
  EXPECT_NE(read.error().message().find("key 999"), std::string::npos) << read.error().message();
}

TEST(RecordRepositoryTest, MovingARecordToAnotherPersonIsDataLoss) {
  testing::RecordsDb t;
  Person a = Sample("A"), b = Sample("B");
  ASSERT_OK(Put(*t.repository, *t.db, a));
  ASSERT_OK(Put(*t.repository, *t.db, b));
  auto tx = store::Transaction::Begin(*t.db);
  RecordEntry e;
  e.external_id = "R1";
  e.person_external_id = "A";
  e.date = {2020, 1, 1};
  e.case_reference = "2020/1";
  e.recording_service = "BRI Paris";
  ASSERT_OK(t.repository->PutRecordEntry(e));
  ASSERT_OK(tx->Commit());
  ASSERT_OK(t.db->ExecuteScript("UPDATE record_entry SET person_id = 2"));
  EXPECT_THAT(t.repository->RecordEntriesOf(b.id), ErrorCodeIs(ErrorCode::kDataLoss));
}

TEST(RecordRepositoryTest, BatchReadsReturnOnlyExistingPersons) {
  testing::RecordsDb t;
  Person a = Sample("A"), b = Sample("B");
  ASSERT_OK(Put(*t.repository, *t.db, a));
  ASSERT_OK(Put(*t.repository, *t.db, b));
  std::vector<int64_t> ids = {b.id, 77, a.id};
  auto persons = t.repository->GetPersons(ids);
  ASSERT_OK(persons);
  ASSERT_EQ(persons->size(), 2u);
  std::vector<int64_t> too_many(RecordRepository::kMaxBatch + 1, 1);
  EXPECT_FALSE(t.repository->GetPersons(too_many).has_value());
}

TEST(RecordRepositoryTest, PostingsAreStreamedPerPersonWithTheSealedRow) {
  testing::RecordsDb t;
  Person a = Sample("A");
  ASSERT_OK(Put(*t.repository, *t.db, a));
  int calls = 0;
  ASSERT_OK(t.repository->ForEachPostingSet(
      [&](const SealedPerson& row, uint32_t tag, std::span<const uint8_t> keys,
          std::span<const uint8_t> names) {
        // The count of surname keys, then one surname form and one given-name form.
        EXPECT_EQ(names.size(), 3u * 8);
        EXPECT_EQ(names[0], 1);
        ++calls;
        EXPECT_EQ(row.id, a.id);
        // The row opens to the person stored, and is still sealed (no name in it).
        auto opened = t.repository->OpenPerson(row);
        ASSERT_TRUE(opened.has_value());
        EXPECT_EQ(opened->surname, a.surname);
        std::string sealed(row.sealed.begin(), row.sealed.end());
        EXPECT_EQ(sealed.find(a.surname), std::string::npos);
        std::vector<uint8_t> tampered(row.sealed.begin(), row.sealed.end());
        tampered[tampered.size() / 2] ^= 1;
        SealedPerson bad = row;
        bad.sealed = tampered;
        EXPECT_EQ(t.repository->OpenPerson(bad).error().code(), ErrorCode::kDataLoss);
        EXPECT_GE(tag, 0x40000000u);
        EXPECT_EQ(keys.size() % 8, 0u);
        EXPECT_GE(keys.size(), 4u * 8);
      }));
  EXPECT_EQ(calls, 1);
}

// Read a page at a time: every person and every notice once, in id order,
// whether the last page is full or not.
TEST(RecordRepositoryTest, PostingsNoticesAndEntryCountsAreReadInPagesWithNoneSkippedOrTwice) {
  testing::RecordsDb t;
  std::vector<int64_t> persons, notices;
  for (int i = 0; i < 7; ++i) {
    Person p = Sample("P" + std::to_string(i));
    ASSERT_OK(Put(*t.repository, *t.db, p));
    persons.push_back(p.id);
    auto tx = store::Transaction::Begin(*t.db);
    WantedNotice n;
    n.external_id = "W" + std::to_string(i);
    n.person_external_id = p.external_id;
    n.issuing_authority = "Parquet de Paris";
    n.reference = "X";
    n.valid_from = {2025, 1, 1};
    ASSERT_OK(t.repository->PutWantedNotice(n));
    // Person i has i record entries.
    for (int j = 0; j < i; ++j) {
      RecordEntry e;
      e.external_id = "R" + std::to_string(i) + "-" + std::to_string(j);
      e.person_external_id = p.external_id;
      e.date = {2020, 1, 1};
      e.case_reference = "2020/1";
      e.recording_service = "BRI Paris";
      ASSERT_OK(t.repository->PutRecordEntry(e));
    }
    ASSERT_OK(tx->Commit());
    notices.push_back(n.id);
  }
  std::vector<std::pair<int64_t, int64_t>> entry_counts;
  for (int i = 1; i < 7; ++i) entry_counts.emplace_back(persons[static_cast<size_t>(i)], i);
  for (const int64_t page_rows : {1, 2, 3, 7, 8}) {
    std::vector<std::pair<int64_t, int64_t>> seen_counts;
    ASSERT_OK(t.repository->ForEachRecordEntryCount(
        [&](int64_t person, int64_t count) { seen_counts.emplace_back(person, count); },
        page_rows));
    EXPECT_EQ(seen_counts, entry_counts) << page_rows;
    std::vector<int64_t> seen_persons, seen_notices;
    ASSERT_OK(t.repository->ForEachPostingSet(
        [&](const SealedPerson& row, uint32_t, std::span<const uint8_t>, std::span<const uint8_t>) {
          seen_persons.push_back(row.id);
        },
        page_rows));
    ASSERT_OK(t.repository->ForEachWantedNotice(
        [&](const WantedNotice& notice) { seen_notices.push_back(notice.id); }, page_rows));
    EXPECT_EQ(seen_persons, persons) << page_rows;
    EXPECT_EQ(seen_notices, notices) << page_rows;
  }
  // A page of no row (or "no limit" on SQLite) is refused before a read.
  for (const int64_t page_rows : {0, -1}) {
    int visited = 0;
    EXPECT_THAT(
        t.repository->ForEachRecordEntryCount([&](int64_t, int64_t) { ++visited; }, page_rows),
        ErrorCodeIs(ErrorCode::kInvalidArgument));
    EXPECT_THAT(
        t.repository->ForEachPostingSet([&](const SealedPerson&, uint32_t, std::span<const uint8_t>,
                                            std::span<const uint8_t>) { ++visited; },
                                        page_rows),
        ErrorCodeIs(ErrorCode::kInvalidArgument));
    EXPECT_THAT(
        t.repository->ForEachWantedNotice([&](const WantedNotice&) { ++visited; }, page_rows),
        ErrorCodeIs(ErrorCode::kInvalidArgument));
    EXPECT_EQ(visited, 0) << page_rows;
  }
}

}  // namespace
}  // namespace vigie::records
