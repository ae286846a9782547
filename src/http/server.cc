#include "http/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <exception>
#include <future>
#include <thread>
#include <vector>

#include "core/log.h"
#include "crypto/random.h"
#include "http/internal/access_log.h"
#include "http/internal/connection.h"
#include "http/internal/server_context.h"
#include "http/internal/tls_context.h"

namespace vigie::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using internal::ListenerRole;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// After accept() fails (e.g. EMFILE), wait this long before the next try
// rather than spin.
constexpr std::chrono::milliseconds kAcceptBackoff{50};

Result<tcp::acceptor> Listen(asio::io_context& io, const std::string& address, uint16_t port) {
  boost::system::error_code ec;
  asio::ip::address ip = asio::ip::make_address(address, ec);
  if (ec) return Fail(ErrorCode::kInvalidArgument, "not an IP address: '" + address + "'");
  tcp::endpoint endpoint(ip, port);
  tcp::acceptor acceptor(io);
  std::string where = endpoint.address().to_string() + " port " + std::to_string(port);
  if (acceptor.open(endpoint.protocol(), ec) ||
      acceptor.set_option(asio::socket_base::reuse_address(true), ec) ||
      acceptor.bind(endpoint, ec) ||
      acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
    return Fail(ErrorCode::kUnavailable, "cannot listen on " + where + ": " + ec.message());
  }
  return acceptor;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        strand_(asio::make_strand(io_)),
        drain_timer_(strand_) {}

  Result<void> Start() {
    if (started_) return Fail(ErrorCode::kConflict, "server already started");
    RETURN_IF_ERROR(ValidateServerOptions(options_));
    context_ = std::make_unique<internal::ServerContext>(options_, handler_);
    context_->metrics = &metrics_;
    context_->clock = options_.clock != nullptr ? options_.clock : &system_clock_;
    context_->random = options_.random != nullptr ? options_.random : &system_random_;
    context_->access_log =
        options_.access_log ? options_.access_log : internal::StdoutAccessLogSink(metrics_);
    for (const std::string& source : options_.proxy_protocol_from) {
      context_->proxy_sources.push_back(*AddressRange::Parse(source));  // validated above
    }
    context_->on_drained = [this] { asio::post(strand_, [this] { FinishDrain(); }); };
    if (options_.tls) {
      auto tls = internal::MakeServerTlsContext(*options_.tls);
      if (!tls) {
        context_->JoinWorkers();
        return Fail(tls.error());
      }
      context_->tls = std::move(*tls);
    }

    auto api = Listen(io_, options_.listen_address, options_.port);
    if (!api) {
      context_->JoinWorkers();
      return Fail(api.error());
    }
    api_acceptor_.emplace(std::move(*api));
    port_ = api_acceptor_->local_endpoint().port();
    if (options_.metrics) {
      auto metrics = Listen(io_, options_.metrics->address, options_.metrics->port);
      if (!metrics) {
        context_->JoinWorkers();
        api_acceptor_.reset();  // closed: its backlog would take clients nobody serves
        port_ = 0;
        return Fail(metrics.error().WithContext("metrics listener"));
      }
      metrics_acceptor_.emplace(std::move(*metrics));
      metrics_port_ = metrics_acceptor_->local_endpoint().port();
    }

    Spawn(AcceptLoop(*api_acceptor_, ListenerRole::kApi));
    if (metrics_acceptor_) Spawn(AcceptLoop(*metrics_acceptor_, ListenerRole::kMetrics));
    started_ = true;
    for (size_t i = 0; i < options_.io_threads; ++i) {
      io_threads_.emplace_back([this] { RunIo(); });
    }
    Log(LogLevel::kInfo, "http_listening",
        {{"address", options_.listen_address},
         {"port", static_cast<int>(port_)},
         {"tls", options_.tls ? "on" : "off"}});
    return {};
  }

  void Stop() {
    if (!started_ || stop_requested_.exchange(true)) return;
    context_->stopping.store(true);
    asio::post(strand_, [this] {
      boost::system::error_code ignored;
      if (api_acceptor_) api_acceptor_->close(ignored);
      if (metrics_acceptor_) metrics_acceptor_->close(ignored);
      context_->connections.InterruptAll(/*force=*/false);
      // Connections still busy get the drain time, then are cut. If the last
      // one already ended, on_drained's cancel ran before this handler, so
      // check here rather than wait for nothing.
      if (context_->connections.Empty()) {
        FinishDrain();
        return;
      }
      drain_timer_.expires_after(options_.drain_timeout);
      drain_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;  // cancelled: drained in time
        Log(LogLevel::kWarn, "http_drain_timeout", {});
        context_->connections.InterruptAll(/*force=*/true);
      });
    });
  }

  void StopOnSignals() {
    if (!started_ || stop_requested_.load()) return;
    // The signal set lives on strand_ like everything Stop() touches; wait
    // until it is installed so a signal right after this call is caught.
    std::promise<void> installed;
    asio::post(strand_, [this, &installed] {
      if (!signals_ && !stop_requested_.load()) {
        signals_.emplace(strand_, SIGINT, SIGTERM);
        AwaitSignal();
      }
      installed.set_value();
    });
    installed.get_future().wait();
  }

  void Wait() {
    for (std::thread& t : io_threads_) {
      if (t.joinable()) t.join();
    }
    if (context_) context_->JoinWorkers();
  }

  uint16_t port() const { return port_; }
  std::optional<uint16_t> metrics_port() const { return metrics_port_; }
  MetricsRegistry& metrics() { return metrics_; }

 private:
  // On strand_. The first signal drains; a second one during the drain (an
  // operator who will not wait) cuts what is left at once. The set stays
  // installed until the drain ends, so that second signal is not swallowed.
  void AwaitSignal() {
    signals_->async_wait([this](boost::system::error_code ec, int signal) {
      if (ec || drained_) return;
      if (!stop_requested_.load()) {
        Log(LogLevel::kInfo, "http_stopping", {{"signal", signal}});
        Stop();
      } else {
        Log(LogLevel::kWarn, "http_stopping_now", {{"signal", signal}});
        context_->connections.InterruptAll(/*force=*/true);
      }
      AwaitSignal();
    });
  }

  // On strand_, once stopping and no connection is left: nothing may keep
  // io_.run() going, so the drain timer and the signal wait end here.
  void FinishDrain() {
    drained_ = true;
    drain_timer_.cancel();
    boost::system::error_code ignored;
    if (signals_) signals_->cancel(ignored);
  }

  template <class Awaitable>
  void Spawn(Awaitable awaitable) {
    asio::co_spawn(strand_, std::move(awaitable), [](std::exception_ptr e) {
      if (e) Log(LogLevel::kError, "http_accept_loop_failed", {});
    });
  }

  void RunIo() {
    // Every operation uses error_code overloads and every coroutine catches
    // at its root, so run() does not throw; guard anyway so a bug logs
    // instead of terminating the process mid-request.
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        Log(LogLevel::kError, "http_io_exception", {{"error", e.what()}});
      }
    }
  }

  asio::awaitable<void> AcceptLoop(tcp::acceptor& acceptor, ListenerRole role) {
    asio::steady_timer backoff(strand_);
    // Out of descriptors, each retry fails again: one line a minute, with
    // how many failed since the last.
    int64_t logged_minute = -1;
    uint64_t failed_unlogged = 0;
    while (!context_->stopping.load()) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io_), kNoThrow);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        ++failed_unlogged;
        if (const int64_t minute = internal::SteadyMinute(); minute != logged_minute) {
          logged_minute = minute;
          Log(LogLevel::kWarn, "http_accept_failed",
              {{"error", ec.message()}, {"failures", std::to_string(failed_unlogged)}});
          failed_unlogged = 0;
        }
        backoff.expires_after(kAcceptBackoff);
        co_await backoff.async_wait(kNoThrow);
        continue;
      }
      // Accepted just as Stop ran: its handler found no such connection to
      // interrupt nor to wait for, so one served now would hold Wait() up
      // to its first-request deadline (a silent TLS handshake).
      if (context_->stopping.load()) {
        boost::system::error_code ignored;
        socket.close(ignored);
        co_return;
      }
      // Security: past the connection cap a new client starts on probation
      // (ConnectionRegistry): it takes an idle connection's place once it
      // has sent a whole, well-formed request. With too many newcomers on
      // their way, it is closed at once, before any TLS work is spent on it.
      const auto admission = context_->connections.Admit(role, MaxConnections(role));
      if (admission == internal::ConnectionRegistry::Admission::kRefused) {
        if (role == ListenerRole::kApi) metrics_.ConnectionRejected();
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      // One connection that cannot be set up (memory for its TLS state, say)
      // is closed; the loop goes on accepting the others.
      try {
        internal::ServeConnection(*context_, tcp::socket(std::move(socket)), role,
                                  admission == internal::ConnectionRegistry::Admission::kProbation);
      } catch (const std::exception& e) {
        Log(LogLevel::kError, "http_connection_not_started", {{"error", e.what()}});
      }
    }
  }

  size_t MaxConnections(ListenerRole role) const {
    // Security: the scraper needs a handful; the metrics port is no way around the cap.
    constexpr size_t kMaxMetricsConnections = 8;
    return role == ListenerRole::kApi ? options_.max_connections : kMaxMetricsConnections;
  }

  const ServerOptions options_;
  const Handler handler_;
  MetricsRegistry metrics_;
  SystemClock system_clock_;
  crypto::SystemRandom system_random_;
  asio::io_context io_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer drain_timer_;                 // on strand_
  std::optional<tcp::acceptor> api_acceptor_;      // on strand_
  std::optional<tcp::acceptor> metrics_acceptor_;  // on strand_
  std::optional<asio::signal_set> signals_;        // on strand_
  bool drained_ = false;                           // on strand_
  std::unique_ptr<internal::ServerContext> context_;
  std::vector<std::thread> io_threads_;
  bool started_ = false;
  std::atomic<bool> stop_requested_{false};
  uint16_t port_ = 0;
  std::optional<uint16_t> metrics_port_;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  impl_->Stop();
  impl_->Wait();
}

Result<void> Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port(); }
std::optional<uint16_t> Server::metrics_port() const { return impl_->metrics_port(); }
void Server::Stop() { impl_->Stop(); }
void Server::StopOnSignals() { impl_->StopOnSignals(); }
void Server::Wait() { impl_->Wait(); }
MetricsRegistry& Server::metrics() { return impl_->metrics(); }

}  // namespace vigie::http
