#include "incident/breach_subjects.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/matchers.h"
#include "tests/support/records_db.h"

namespace vigie::incident {
namespace {

using ::testing::ElementsAre;

TEST(BreachSubjectsTest, NamesPersonsStillRecordedAndListsTheOthersById) {
  testing::RecordsDb records;
  records::Person person;
  person.external_id = "P1";
  person.surname = "Moreau";
  person.given_names = {"Hélène", "Marie"};
  person.birth_date = {1985, 7, 14};
  person.birth_place = "Nantes (44)";
  {
    auto tx = store::Transaction::Begin(*records.db);
    ASSERT_OK(tx);
    ASSERT_OK(records.repository->PutPerson(person));
    ASSERT_OK(tx->Commit());
  }
  std::vector<ExposedSubject> subjects(2);
  subjects[0].person_id = person.id;
  subjects[1].person_id = person.id + 1000;  // deleted since, or never imported here
  ASSERT_OK(NameSubjects(*records.repository, subjects));
  ASSERT_TRUE(subjects[0].identity.has_value());
  EXPECT_EQ(subjects[0].identity->surname, "Moreau");
  EXPECT_THAT(subjects[0].identity->given_names, ElementsAre("Hélène", "Marie"));
  EXPECT_EQ(subjects[0].identity->birth_date, (records::PartialDate{1985, 7, 14}));
  EXPECT_FALSE(subjects[1].identity.has_value());
}

}  // namespace
}  // namespace vigie::incident
