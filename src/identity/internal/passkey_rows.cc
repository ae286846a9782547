#include "identity/internal/passkey_rows.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace vigie::identity::internal {
namespace {

constexpr std::string_view kColumns =
    "id, agent_id, credential_id, name, algorithm, backup_eligible, backup_state, transports, "
    "created_at, last_used_at, public_key, sign_count";

constexpr std::array<std::string_view, 6> kTransports = {"usb",      "nfc",    "ble",
                                                         "internal", "hybrid", "smart-card"};

std::vector<std::string> SplitTransports(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const size_t comma = joined.find(',');
    out.emplace_back(joined.substr(0, comma));
    joined = comma == std::string_view::npos ? std::string_view() : joined.substr(comma + 1);
  }
  return out;
}

StoredPasskey ReadRow(const store::Statement& row) {
  StoredPasskey stored;
  Passkey& p = stored.passkey;
  p.id = row.ColumnInt(0);
  p.agent_id = row.ColumnInt(1);
  const auto id = row.ColumnBlob(2);
  p.credential_id.assign(id.begin(), id.end());
  p.name = std::string(row.ColumnText(3));
  p.algorithm = row.ColumnInt(4);
  p.backup_eligible = row.ColumnInt(5) != 0;
  p.backup_state = row.ColumnInt(6) != 0;
  p.transports = SplitTransports(row.ColumnText(7));
  p.created_at = row.ColumnInt(8);
  if (!row.ColumnIsNull(9)) p.last_used_at = row.ColumnInt(9);
  const auto key = row.ColumnBlob(10);
  stored.public_key_cose.assign(key.begin(), key.end());
  stored.sign_count = static_cast<uint32_t>(row.ColumnInt(11));
  return stored;
}

}  // namespace

Result<std::vector<Passkey>> LoadPasskeys(store::Connection& db, int64_t agent_id) {
  ASSIGN_OR_RETURN(store::Statement * select,
                   db.Prepare("SELECT " + std::string(kColumns) +
                              " FROM passkey WHERE agent_id = $1 ORDER BY id"));
  select->BindInt(1, agent_id);
  std::vector<Passkey> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    out.push_back(std::move(ReadRow(*select).passkey));
  }
  return out;
}

Result<std::optional<StoredPasskey>> FindPasskey(store::Connection& db, int64_t agent_id,
                                                 std::span<const uint8_t> credential_id) {
  ASSIGN_OR_RETURN(store::Statement * select,
                   db.Prepare("SELECT " + std::string(kColumns) +
                              " FROM passkey WHERE credential_id = $1 AND agent_id = $2"));
  select->BindBlob(1, credential_id).BindInt(2, agent_id);
  ASSIGN_OR_RETURN(bool row, select->Step());
  if (!row) return std::nullopt;
  StoredPasskey stored = ReadRow(*select);
  RETURN_IF_ERROR(select->Run());  // finishes the statement
  return stored;
}

Result<bool> CredentialExists(store::Connection& db, std::span<const uint8_t> credential_id) {
  ASSIGN_OR_RETURN(store::Statement * select,
                   db.Prepare("SELECT 1 FROM passkey WHERE credential_id = $1"));
  select->BindBlob(1, credential_id);
  ASSIGN_OR_RETURN(bool row, select->Step());
  if (row) RETURN_IF_ERROR(select->Run());
  return row;
}

Result<int64_t> InsertPasskey(store::Connection& db, const Passkey& passkey,
                              std::span<const uint8_t> public_key_cose, uint32_t sign_count) {
  std::string transports;
  for (const std::string& t : passkey.transports) {
    if (!transports.empty()) transports += ',';
    transports += t;
  }
  ASSIGN_OR_RETURN(
      store::Statement * insert,
      db.Prepare("INSERT INTO passkey (agent_id, credential_id, public_key, algorithm, sign_count, "
                 "backup_eligible, backup_state, transports, name, created_at) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"));
  insert->BindInt(1, passkey.agent_id).BindBlob(2, passkey.credential_id);
  insert->BindBlob(3, public_key_cose).BindInt(4, passkey.algorithm).BindInt(5, sign_count);
  insert->BindInt(6, passkey.backup_eligible ? 1 : 0).BindInt(7, passkey.backup_state ? 1 : 0);
  insert->BindText(8, transports).BindText(9, passkey.name).BindInt(10, passkey.created_at);
  ASSIGN_OR_RETURN(bool row, insert->Step());
  if (!row) return Fail(ErrorCode::kInternal, "INSERT ... RETURNING gave no row");
  const int64_t id = insert->ColumnInt(0);
  RETURN_IF_ERROR(insert->Run());
  return id;
}

Result<void> RecordPasskeyUse(store::Connection& db, int64_t passkey_id, uint32_t sign_count,
                              bool backup_state, int64_t now) {
  ASSIGN_OR_RETURN(store::Statement * update,
                   db.Prepare("UPDATE passkey SET sign_count = $2, backup_state = $3, "
                              "last_used_at = $4 WHERE id = $1"));
  update->BindInt(1, passkey_id).BindInt(2, sign_count).BindInt(3, backup_state ? 1 : 0);
  update->BindInt(4, now);
  RETURN_IF_ERROR(update->Run());
  return {};
}

Result<std::optional<std::vector<uint8_t>>> TakeRegistrationChallenge(store::Connection& db,
                                                                      int64_t agent_id,
                                                                      int64_t now) {
  ASSIGN_OR_RETURN(store::Statement * select,
                   db.Prepare("SELECT challenge, expires_at FROM passkey_challenge "
                              "WHERE agent_id = $1"));
  select->BindInt(1, agent_id);
  ASSIGN_OR_RETURN(bool row, select->Step());
  std::optional<std::vector<uint8_t>> challenge;
  if (row) {
    const auto bytes = select->ColumnBlob(0);
    if (select->ColumnInt(1) > now) challenge.emplace(bytes.begin(), bytes.end());
    RETURN_IF_ERROR(select->Run());
    ASSIGN_OR_RETURN(store::Statement * spend,
                     db.Prepare("DELETE FROM passkey_challenge WHERE agent_id = $1"));
    spend->BindInt(1, agent_id);
    RETURN_IF_ERROR(spend->Run());
  }
  return challenge;
}

std::vector<std::string> KnownTransports(std::span<const std::string> given) {
  std::vector<std::string> out;
  for (const std::string& t : given) {
    const bool known = std::find(kTransports.begin(), kTransports.end(), t) != kTransports.end();
    if (known && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

}  // namespace vigie::identity::internal
