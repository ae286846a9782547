#include "identity/internal/login_challenge.h"

#include <string.h>

#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace vigie::identity::internal {

crypto::Sha256Digest HashChallengeToken(std::string_view token) {
  crypto::Sha256Hasher hasher;
  hasher.Update(std::string_view("vigie/login-challenge/v1\n"));
  hasher.Update(token);
  return hasher.Final();
}

Result<crypto::SecretBytes> CreateChallenge(store::Connection& db, int64_t agent_id,
                                            std::string_view source_address, int64_t now,
                                            int64_t expires_at) {
  ASSIGN_OR_RETURN(store::Statement * purge,
                   db.Prepare("DELETE FROM login_challenge WHERE expires_at <= $1"));
  purge->BindInt(1, now);
  RETURN_IF_ERROR(purge->Run());

  crypto::SecretBytes random = crypto::SecretBytes::Random(kChallengeTokenBytes);
  std::string text = crypto::Base64UrlEncode(random.view());
  crypto::SecretBytes token(crypto::AsBytes(text));
  explicit_bzero(text.data(), text.size());

  ASSIGN_OR_RETURN(store::Statement * insert,
                   db.Prepare("INSERT INTO login_challenge "
                              "(token_hash, agent_id, source_address, created_at, expires_at) "
                              "VALUES ($1, $2, $3, $4, $5)"));
  insert->BindBlob(1, HashChallengeToken(crypto::AsText(token.view()))).BindInt(2, agent_id);
  insert->BindText(3, source_address.substr(0, 64)).BindInt(4, now).BindInt(5, expires_at);
  RETURN_IF_ERROR(insert->Run());
  return token;
}

Result<std::optional<int64_t>> LiveChallengeAgent(store::Connection& db, std::string_view token,
                                                  int64_t now) {
  // Base64url of kChallengeTokenBytes, as CreateChallenge makes them:
  // anything else is no challenge, and costs no read.
  auto bytes = crypto::Base64UrlDecode(token);
  if (!bytes || bytes->size() != kChallengeTokenBytes) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(store::Statement * find,
                   db.Prepare("SELECT agent_id FROM login_challenge WHERE token_hash = $1 AND "
                              "expires_at > $2"));
  find->BindBlob(1, HashChallengeToken(token)).BindInt(2, now);
  ASSIGN_OR_RETURN(bool found, find->Step());
  std::optional<int64_t> agent;
  if (found) agent = find->ColumnInt(0);
  RETURN_IF_ERROR(find->Run());
  return agent;
}

Result<std::optional<Challenge>> FindChallenge(store::Connection& db, std::string_view token,
                                               int64_t now) {
  ASSIGN_OR_RETURN(store::Statement * find,
                   db.Prepare("SELECT agent_id, attempts, expires_at FROM login_challenge "
                              "WHERE token_hash = $1"));
  find->BindBlob(1, HashChallengeToken(token));
  ASSIGN_OR_RETURN(bool found, find->Step());
  if (!found) return std::optional<Challenge>();
  Challenge challenge{find->ColumnInt(0), find->ColumnInt(1)};
  int64_t expires_at = find->ColumnInt(2);
  RETURN_IF_ERROR(find->Run());
  if (expires_at <= now) {
    RETURN_IF_ERROR(DeleteChallenge(db, token));
    return std::optional<Challenge>();
  }
  return std::optional<Challenge>(challenge);
}

Result<void> CountWrongCode(store::Connection& db, std::string_view token, int64_t max_attempts) {
  ASSIGN_OR_RETURN(store::Statement * count,
                   db.Prepare("UPDATE login_challenge SET attempts = attempts + 1 "
                              "WHERE token_hash = $1"));
  count->BindBlob(1, HashChallengeToken(token));
  RETURN_IF_ERROR(count->Run());
  ASSIGN_OR_RETURN(store::Statement * spent,
                   db.Prepare("DELETE FROM login_challenge WHERE token_hash = $1 "
                              "AND attempts >= $2"));
  spent->BindBlob(1, HashChallengeToken(token)).BindInt(2, max_attempts);
  RETURN_IF_ERROR(spent->Run());
  return {};
}

Result<void> DeleteChallenge(store::Connection& db, std::string_view token) {
  ASSIGN_OR_RETURN(store::Statement * drop,
                   db.Prepare("DELETE FROM login_challenge WHERE token_hash = $1"));
  drop->BindBlob(1, HashChallengeToken(token));
  RETURN_IF_ERROR(drop->Run());
  return {};
}

}  // namespace vigie::identity::internal
