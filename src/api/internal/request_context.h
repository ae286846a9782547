#pragma once
// What a route handler sees of one request: the request, its path
// parameters, and — on authenticated routes — the caller and the verified
// DPoP key thumbprint.

#include <map>
#include <optional>
#include <string>

#include "app/portal.h"
#include "http/message.h"
#include "webauthn/webauthn.h"

namespace vigie::api::internal {

struct RequestContext {
  const http::Request& request;
  std::map<std::string, std::string, std::less<>> path;  // {placeholder} -> segment
  std::string jkt;                                       // when a proof was checked
  std::string proof_identity;  // on kProof routes: session::ProofIdentity of the proof
  std::optional<app::Caller> caller;                     // on authenticated routes
  const webauthn::RelyingParty* relying_party = nullptr;  // what passkeys are checked against
  std::string_view rp_name;
};

}  // namespace vigie::api::internal
