#pragma once
// A release lifting one agent's hold (Containment::Release). The decision -
// still held by another incident, suspended before, reset, reinstated - is
// made on a fresh read of the hold and the agent; the status change and the
// hold's lifted_at then commit in one transaction, which first checks that
// the hold is as it was read and ends any session of the agent still live. A containment or a
// suspension landing meanwhile (it changes the hold's prior status, or adds another hold) sends the
// decision round again instead of being undone.
//
// Thread-safety: one per connection, used by one thread at a time.

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "identity/agent_directory.h"
#include "identity/options.h"
#include "incident/containment.h"
#include "session/session_options.h"
#include "store/store.h"

namespace vigie::incident::internal {

class HoldLifter {
 public:
  HoldLifter(store::Connection& db, const Clock& clock, const identity::IdentityOptions& identity,
             const session::SessionOptions& sessions)
      : db_(db), clock_(clock), identity_(identity), sessions_(sessions) {}

  // Lifts `incident_id`'s hold on the agent, into `done`'s lists. On an
  // error the agent and its hold stay as they were (releasing again
  // finishes), except for an agent whose state is not the release's to
  // decide: its hold gives way to a suspension (in reset mode, to its
  // credentials erased instead; a disabled agent is left as it is) and the
  // error says why, for an administrator. `before_suspend` runs inside that
  // suspension.
  Result<void> Lift(int64_t incident_id, int64_t agent_id, const std::string& service_number,
                    ReleaseMode mode, const identity::AgentDirectory::BeforeCommit& before_reset,
                    const identity::AgentDirectory::BeforeCommit& before_reinstate,
                    const identity::AgentDirectory::BeforeCommit& before_suspend, Released& done);

 private:
  store::Connection& db_;
  const Clock& clock_;
  const identity::IdentityOptions& identity_;
  const session::SessionOptions& sessions_;
};

}  // namespace vigie::incident::internal
