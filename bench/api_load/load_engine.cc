#include "bench/api_load/load_engine.h"

#include <openssl/ssl.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace vigie::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr uint64_t kMaxResponseBody = 8 * 1024 * 1024;
constexpr size_t kFailureSamples = 3;
constexpr size_t kFailureSampleBytes = 300;

// Read-only state every connection of a run shares.
struct RunContext {
  const LoadPlan& plan;
  tcp::endpoint endpoint;
  ssl::context* tls = nullptr;  // null for plain HTTP
  bool unbounded = false;       // duration 0: run every conversation to its end
  SteadyClock::time_point measure_from;
  SteadyClock::time_point deadline;
  std::atomic<uint64_t> responses{0};  // for the progress line only
};

struct Tally {
  uint64_t requests = 0, successes = 0, refused = 0, failures = 0, operations = 0;
  uint64_t transport_errors = 0, reconnections = 0;
  std::map<int, uint64_t> statuses;
  LatencySample latency;
  std::vector<std::string> failure_samples;
};

template <class Stream>
struct Connection {
  asio::io_context& io;
  std::unique_ptr<Conversation> conversation;
  std::unique_ptr<Stream> stream;
  beast::flat_buffer buffer;
  Tally tally;
  boost::system::error_code open_error;
};

template <class Stream>
asio::awaitable<boost::system::error_code> Open(Connection<Stream>& c, const RunContext& run) {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    c.stream = std::make_unique<Stream>(c.io, *run.tls);
  } else {
    c.stream = std::make_unique<Stream>(c.io);
  }
  c.buffer.clear();
  beast::tcp_stream& lowest = beast::get_lowest_layer(*c.stream);
  lowest.expires_after(run.plan.response_timeout);
  auto [ec] = co_await lowest.async_connect(run.endpoint, kNoThrow);
  if (ec) co_return ec;
  boost::system::error_code ignored;
  lowest.socket().set_option(tcp::no_delay(true), ignored);
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    const std::string& name = run.plan.target.host;
    SSL_set_tlsext_host_name(c.stream->native_handle(), name.c_str());
    if (!run.plan.ca_file.empty()) SSL_set1_host(c.stream->native_handle(), name.c_str());
    auto [handshake_ec] = co_await c.stream->async_handshake(ssl::stream_base::client, kNoThrow);
    if (handshake_ec) co_return handshake_ec;
  }
  lowest.expires_never();
  co_return boost::system::error_code{};
}

template <class Stream>
asio::awaitable<void> OpenOnce(Connection<Stream>& c, const RunContext& run) {
  c.open_error = co_await Open(c, run);
}

bool InWindow(const RunContext& run, SteadyClock::time_point t) {
  return run.unbounded || (t >= run.measure_from && t < run.deadline);
}

bool PastDeadline(const RunContext& run) {
  return !run.unbounded && SteadyClock::now() >= run.deadline;
}

void Count(Tally& tally, int status, std::string_view body, const Verdict& verdict,
           uint64_t micros) {
  ++tally.requests;
  if (verdict.outcome != Outcome::kSuccess && tally.failure_samples.size() < kFailureSamples) {
    tally.failure_samples.push_back(std::to_string(status) + ": " +
                                    std::string(body.substr(0, kFailureSampleBytes)));
  }
  ++tally.statuses[status];
  switch (verdict.outcome) {
    case Outcome::kSuccess: ++tally.successes; break;
    case Outcome::kRefused: ++tally.refused; break;
    case Outcome::kFailure: ++tally.failures; break;
  }
  if (verdict.completes_operation && verdict.outcome == Outcome::kSuccess) ++tally.operations;
  tally.latency.Record(micros);
}

template <class Stream>
asio::awaitable<void> Pause(Connection<Stream>& c, const RunContext& run,
                            std::chrono::milliseconds pause) {
  auto until = SteadyClock::now() + pause;
  if (!run.unbounded) until = std::min(until, run.deadline);
  asio::steady_timer timer(c.io, until);
  co_await timer.async_wait(kNoThrow);
}

// One connection's request loop until the deadline or the conversation's end.
template <class Stream>
asio::awaitable<void> Converse(Connection<Stream>& c, RunContext& run) {
  while (!PastDeadline(run)) {
    NextStep next = c.conversation->Next();
    if (next.request.empty()) {
      if (next.wait.count() == 0) break;
      co_await Pause(c, run, next.wait);
      continue;
    }
    std::string_view request = next.request;
    auto sent_at = SteadyClock::now();
    beast::get_lowest_layer(*c.stream).expires_after(run.plan.response_timeout);
    auto [write_ec, written] = co_await asio::async_write(*c.stream, asio::buffer(request), kNoThrow);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    boost::system::error_code ec = write_ec;
    if (!ec) {
      auto [read_ec, read] = co_await bhttp::async_read(*c.stream, c.buffer, parser, kNoThrow);
      ec = read_ec;
    }
    auto done_at = SteadyClock::now();
    bool reopen = false;
    if (ec) {
      if (InWindow(run, done_at)) ++c.tally.transport_errors;
      c.conversation->OnTransportError();
      reopen = true;
    } else {
      const auto& response = parser.get();
      auto retry_after = response[bhttp::field::retry_after];
      Verdict verdict = c.conversation->OnResponse(
          static_cast<int>(response.result_int()), response.body(),
          std::string_view(retry_after.data(), retry_after.size()));
      run.responses.fetch_add(1, std::memory_order_relaxed);
      if (InWindow(run, done_at)) {
        auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(done_at - sent_at).count();
        Count(c.tally, static_cast<int>(response.result_int()), response.body(), verdict,
              static_cast<uint64_t>(micros));
      }
      reopen = !response.keep_alive();
      if (verdict.pause.count() > 0) co_await Pause(c, run, verdict.pause);
    }
    if (reopen && !PastDeadline(run)) {
      ++c.tally.reconnections;
      if (co_await Open(c, run)) {
        ++c.tally.transport_errors;
        break;  // the server is gone for this connection: stop it rather than spin
      }
    }
  }
  boost::system::error_code ignored;
  beast::get_lowest_layer(*c.stream).socket().close(ignored);
}

Result<tcp::endpoint> ResolveEndpoint(const LoadPlan& plan) {
  boost::system::error_code ec;
  if (!plan.connect_address.empty()) {
    auto address = asio::ip::make_address(plan.connect_address, ec);
    if (ec) return Fail(ErrorCode::kInvalidArgument, "bad --connect address: " + ec.message());
    return tcp::endpoint(address, plan.target.port);
  }
  asio::io_context io;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(plan.target.host, std::to_string(plan.target.port), ec);
  if (ec || results.empty()) {
    return Fail(ErrorCode::kUnavailable, "cannot resolve " + plan.target.host + ": " + ec.message());
  }
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) return entry.endpoint();
  }
  return results.begin()->endpoint();
}

Result<std::unique_ptr<ssl::context>> MakeTlsContext(const LoadPlan& plan) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  if (plan.ca_file.empty()) {
    context->set_verify_mode(ssl::verify_none);
    return context;
  }
  boost::system::error_code ec;
  context->load_verify_file(plan.ca_file, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot load " + plan.ca_file + ": " + ec.message());
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

// Prints responses/s once a second on stderr until stopped.
class ProgressLine {
 public:
  ProgressLine(const RunContext& run, bool enabled) : run_(run) {
    if (enabled) thread_ = std::thread([this] { Loop(); });
  }
  ~ProgressLine() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
      std::fprintf(stderr, "\r\033[K");
    }
  }

 private:
  void Loop() {
    auto start = SteadyClock::now();
    uint64_t last = 0;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
      uint64_t now = run_.responses.load(std::memory_order_relaxed);
      double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
      std::fprintf(stderr, "\r\033[K  %s: %.0f s, %llu responses/s", run_.plan.progress_label.c_str(),
                   elapsed, static_cast<unsigned long long>(now - last));
      std::fflush(stderr);
      last = now;
    }
  }

  const RunContext& run_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

void Add(LoadResult& result, Tally& t) {
  result.requests += t.requests;
  result.successes += t.successes;
  result.refused += t.refused;
  result.failures += t.failures;
  result.operations += t.operations;
  result.transport_errors += t.transport_errors;
  result.reconnections += t.reconnections;
  for (const auto& [status, count] : t.statuses) result.statuses[status] += count;
  result.latency.Merge(t.latency);
  for (std::string& sample : t.failure_samples) {
    if (result.failure_samples.size() < kFailureSamples) {
      result.failure_samples.push_back(std::move(sample));
    }
  }
}

void RunThreads(std::vector<std::unique_ptr<asio::io_context>>& loops) {
  std::vector<std::thread> threads;
  for (auto& io : loops) {
    io->restart();
    threads.emplace_back([&io] { io->run(); });
  }
  for (auto& thread : threads) thread.join();
}

template <class Stream>
Result<LoadResult> RunWith(RunContext& run, const ConversationFactory& make_conversation) {
  const LoadPlan& plan = run.plan;
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (size_t i = 0; i < plan.threads; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
  std::vector<std::unique_ptr<Connection<Stream>>> connections;
  for (size_t i = 0; i < plan.connections; ++i) {
    auto& io = *loops[i % loops.size()];
    connections.push_back(std::unique_ptr<Connection<Stream>>(
        new Connection<Stream>{.io = io, .conversation = make_conversation(i)}));
  }

  // Every connection is open before the clock starts.
  for (auto& c : connections) asio::co_spawn(c->io, OpenOnce(*c, run), asio::detached);
  RunThreads(loops);
  for (auto& c : connections) {
    if (c->open_error) {
      return Fail(ErrorCode::kUnavailable, "cannot open a connection to " + plan.target.Origin() +
                                               ": " + c->open_error.message());
    }
  }

  auto start = SteadyClock::now();
  run.measure_from = start + plan.warmup;
  run.deadline = run.measure_from + plan.duration;
  {
    ProgressLine progress(run, plan.show_progress);
    for (auto& c : connections) asio::co_spawn(c->io, Converse(*c, run), asio::detached);
    RunThreads(loops);
  }
  auto end = SteadyClock::now();

  double measured =
      run.unbounded ? std::chrono::duration<double>(end - start).count()
                    : std::chrono::duration<double>(plan.duration).count();
  std::vector<LoadResult> groups;
  for (auto& c : connections) {
    size_t group = c->conversation->group();
    if (groups.size() <= group) groups.resize(group + 1);
    groups[group].measured_seconds = measured;
    Add(groups[group], c->tally);
  }
  LoadResult result = std::move(groups[0]);
  for (size_t g = 1; g < groups.size(); ++g) result.side_groups.push_back(std::move(groups[g]));
  return result;
}

}  // namespace

Result<LoadResult> RunLoad(const LoadPlan& plan, const ConversationFactory& make_conversation) {
  if (plan.connections == 0 || plan.threads == 0) {
    return Fail(ErrorCode::kInvalidArgument, "connections and threads must be at least 1");
  }
  ASSIGN_OR_RETURN(tcp::endpoint endpoint, ResolveEndpoint(plan));
  RunContext run{.plan = plan, .endpoint = endpoint};
  run.unbounded = plan.duration.count() == 0;
  if (!plan.target.tls) return RunWith<PlainStream>(run, make_conversation);
  ASSIGN_OR_RETURN(std::unique_ptr<ssl::context> tls, MakeTlsContext(plan));
  run.tls = tls.get();
  return RunWith<TlsStream>(run, make_conversation);
}

}  // namespace vigie::bench
