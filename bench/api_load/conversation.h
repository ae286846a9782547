#pragma once
// What one client connection says to the server. The load engine asks a
// Conversation for the next request, writes it, reads the whole response
// and hands it back; the conversation decides what the response means and
// what to send next (a login is two requests, a search is one).
// Thread-safety: the engine calls a conversation from one thread at a time;
// anything shared between conversations must be synchronised by them.

#include <chrono>
#include <cstddef>
#include <string_view>

namespace vigie::bench {

enum class Outcome {
  kSuccess,  // what the scenario expects
  kRefused,  // the server asked to come back later (429): counted apart, not an error
  kFailure,  // anything else: an error of the run
};

// What a conversation wants to do next.
struct NextStep {
  std::string_view request;  // the complete bytes of the next request
  // With no request: ask again after this long (e.g. waiting for the
  // clock); zero means the conversation is over and the connection closes.
  std::chrono::milliseconds wait{0};

  static NextStep Send(std::string_view request) { return {request, {}}; }
  static NextStep WaitFor(std::chrono::milliseconds wait) { return {{}, wait}; }
  static NextStep End() { return {}; }
};

struct Verdict {
  Outcome outcome = Outcome::kSuccess;
  // True when this response ends one operation of the scenario (a search, a
  // full login): operations/s is what a run reports besides requests/s.
  bool completes_operation = true;
  // How long to wait before the next request (backing off after a 429).
  std::chrono::milliseconds pause{0};
};

class Conversation {
 public:
  virtual ~Conversation() = default;

  // The next request (its bytes must stay valid until OnResponse or
  // OnTransportError is called), a wait, or the end.
  virtual NextStep Next() = 0;

  // The response to the last request: status, body and the Retry-After value
  // ("" when absent).
  virtual Verdict OnResponse(int status, std::string_view body, std::string_view retry_after) = 0;

  // The last request got no response (reset, timeout, closed): the engine
  // reconnects and asks for a request again; a multi-step conversation
  // starts its step over.
  virtual void OnTransportError() {}

  // Which tally the engine counts this connection in: 0 is the load being
  // measured; others run alongside it (a login flood during searches).
  virtual size_t group() const { return 0; }
};

// The pause a 429 asks for: its Retry-After seconds, at most `cap`; `cap`
// when the header is absent or not a number of seconds.
std::chrono::milliseconds BackoffFor(std::string_view retry_after, std::chrono::milliseconds cap);

}  // namespace vigie::bench
