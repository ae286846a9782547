#include "detect/judged_mark.h"

namespace vigie::detect {

Result<std::optional<JudgedMark>> ReadJudgedMark(store::Connection& db, std::string_view node_id) {
  ASSIGN_OR_RETURN(store::Statement * read,
                   db.Prepare("SELECT next_sequence, written_at FROM detection_judged "
                              "WHERE node_id = $1"));
  read->BindText(1, node_id);
  ASSIGN_OR_RETURN(bool row, read->Step());
  if (!row) return std::nullopt;
  const int64_t next = read->ColumnInt(0);
  JudgedMark mark{.next_sequence = next > 0 ? static_cast<uint64_t>(next) : 0,
                  .written_at_unix_micros = read->ColumnInt(1)};
  RETURN_IF_ERROR(read->Run());
  return mark;
}

Result<void> WriteJudgedMark(store::Connection& db, std::string_view node_id,
                             const JudgedMark& mark) {
  ASSIGN_OR_RETURN(
      store::Statement * write,
      db.Prepare("INSERT INTO detection_judged (node_id, next_sequence, written_at) "
                 "VALUES ($1, $2, $3) ON CONFLICT (node_id) DO UPDATE SET "
                 "next_sequence = excluded.next_sequence, written_at = excluded.written_at"));
  write->BindText(1, node_id)
      .BindInt(2, static_cast<int64_t>(mark.next_sequence))
      .BindInt(3, mark.written_at_unix_micros);
  RETURN_IF_ERROR(write->Run());
  return {};
}

Result<void> ForgetJudgedMark(store::Connection& db, std::string_view node_id) {
  ASSIGN_OR_RETURN(store::Statement * forget,
                   db.Prepare("DELETE FROM detection_judged WHERE node_id = $1"));
  forget->BindText(1, node_id);
  RETURN_IF_ERROR(forget->Run());
  return {};
}

}  // namespace vigie::detect
