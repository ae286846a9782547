#include "http/internal/connection.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "core/log.h"
#include "http/internal/access_log.h"
#include "http/internal/builtin_routes.h"
#include "http/internal/handler_call.h"
#include "http/internal/request_head.h"
#include "http/internal/request_id.h"
#include "http/internal/response_headers.h"
#include "http/internal/upload_slots.h"
#include "http/peer_address.h"
#include "http/problem.h"
#include "http/proxy_header.h"

namespace vigie::http::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 4096;
// Security: when the server ends a connection after a response, what the
// client still sends is drained for at most this long and this many bytes,
// then the socket closes (Shutdown).
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kMaxLingerBytes = 256 * 1024;

std::string ToString(beast::string_view s) { return std::string(s.data(), s.size()); }

// What to do with the connection after one request: wait for the next, end
// it once the client's unread bytes are drained (a lingering close), or
// drop it at once (the client is gone or the write failed).
enum class Next { kContinue, kClose, kDrop };

// A peer's address as logged and audited: a dual-stack listener's or a
// balancer's "::ffff:a.b.c.d" as a.b.c.d, so one client has one address.
std::string RecordedAddress(const std::string& address) {
  return CanonicalPeerAddress(address).value_or(address);
}

int64_t SteadyNanos() {
  // Never 0, which means "serving a request".
  return std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now().time_since_epoch())
                                  .count());
}

template <class Stream>
class Connection final : public ConnectionControl,
                         public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Connection(ServerContext& context, tcp::socket socket, ListenerRole role) requires(!kTls)
      : context_(context), role_(role), stream_(std::move(socket)), buffer_(BufferLimit(context)) {}
  Connection(ServerContext& context, tcp::socket socket, ListenerRole role) requires(kTls)
      : context_(context),
        role_(role),
        stream_(std::move(socket), *context.tls),
        buffer_(BufferLimit(context)) {}

  // Before Launch: opened at the cap, it has no place until MakeRoom.
  void PutOnProbation(bool on_probation) { on_probation_ = on_probation; }

  int64_t IdleSinceNanos() const override {
    return idle_since_nanos_.load(std::memory_order_relaxed);
  }
  int64_t TakingResponseSinceNanos() const override {
    return taking_response_since_nanos_.load(std::memory_order_relaxed);
  }

  void GiveUpPlace() override {
    gave_up_place_.store(true, std::memory_order_relaxed);
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      // Not one lingering (Shutdown): its place is free already (the
      // registry counts it out), and its last response still in flight.
      if (self->idle_ || self->opening_ || self->reading_head_ || self->reading_body_ ||
          self->writing_) {
        beast::get_lowest_layer(self->stream_).cancel();
      }
    });
  }

  void Interrupt(bool force) override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this(), force] {
      auto& lowest = beast::get_lowest_layer(self->stream_);
      if (force) {
        lowest.close();
      } else if (self->idle_) {
        lowest.cancel();  // not one lingering (Shutdown): its last response is in flight
      }
    });
  }

  static void Launch(std::shared_ptr<Connection> self) {
    ServerContext& context = self->context_;
    const ListenerRole role = self->role_;
    const uint64_t id = context.connections.Add(role, self->weak_from_this(), self->on_probation_);
    self->registry_id_ = id;
    if (role == ListenerRole::kApi) context.metrics->ConnectionOpened();
    try {
      auto executor = self->stream_.get_executor();
      asio::co_spawn(executor, Run(std::move(self)), [](std::exception_ptr) {});
    } catch (...) {
      // Never started, so Run() will not count it out: done here, or its
      // place would be lost for good and a stop would wait for it.
      if (role == ListenerRole::kApi) context.metrics->ConnectionClosed();
      if (context.connections.Remove(id) && context.stopping.load() && context.on_drained) {
        context.on_drained();
      }
      throw;
    }
  }

 private:
  // Security: the read buffer holds one request head plus one read's worth;
  // pipelined bytes beyond it wait in the kernel (TCP flow control).
  static size_t BufferLimit(const ServerContext& context) {
    return context.options.max_header_bytes + kReadChunk;
  }

  static asio::awaitable<void> Run(std::shared_ptr<Connection> self) {
    try {
      co_await self->Serve();
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "http_connection_failed", {{"error", e.what()}});
    } catch (...) {
      Log(LogLevel::kError, "http_connection_failed", {{"error", "not a std::exception"}});
    }
    beast::get_lowest_layer(self->stream_).close();
    if (self->role_ == ListenerRole::kApi) self->context_.metrics->ConnectionClosed();
    bool empty = self->context_.connections.Remove(self->registry_id_);
    if (empty && self->context_.stopping.load() && self->context_.on_drained) {
      self->context_.on_drained();
    }
  }

  asio::awaitable<void> Serve() {
    auto& lowest = beast::get_lowest_layer(stream_);
    // Security: a new connection has read_timeout in all for its PROXY
    // header, TLS handshake and first request, not that much for each: a
    // client trickling them would otherwise hold its place three times as long.
    first_request_deadline_ = std::chrono::steady_clock::now() + context_.options.read_timeout;
    boost::system::error_code ec;
    tcp::endpoint peer = lowest.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = RecordedAddress(peer.address().to_string());
    // Security: waiting on its client from the start, its PROXY header and
    // TLS handshake included: at the cap a newcomer may take the place of one
    // kept silent there, as of one that sends no request.
    idle_since_nanos_.store(SteadyNanos(), std::memory_order_relaxed);
    opening_ = true;
    if (FromBalancer() && !co_await ReadProxyHeader()) co_return;
    if (role_ == ListenerRole::kApi && !ClaimClientPlace()) co_return;

    if constexpr (kTls) {
      lowest.expires_at(first_request_deadline_);
      auto [handshake_ec] =
          co_await stream_.async_handshake(asio::ssl::stream_base::server, kNoThrow);
      if (handshake_ec) {
        // Cut to make room for a newcomer, or by Stop (!StaysOpen): not a
        // TLS failure, and a count an attacker at the cap could drive.
        if (StaysOpen()) context_.metrics->TlsHandshakeFailed();
        co_return;
      }
    }
    opening_ = false;

    bool first = true;
    Next next = Next::kContinue;
    while (next == Next::kContinue && !context_.stopping.load()) {
      // Its place went to a newcomer while it served a request (pipelined
      // ones included): it ends here.
      if (gave_up_place_.load(std::memory_order_relaxed)) break;
      if (buffer_.size() == 0) {
        // Waiting for the next request: the only state Stop() closes at once.
        idle_ = true;
        if (first) {
          lowest.expires_at(first_request_deadline_);  // its wait began with the connection
        } else {
          idle_since_nanos_.store(SteadyNanos(), std::memory_order_relaxed);
          lowest.expires_after(context_.options.idle_timeout);
        }
        auto [read_ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kNoThrow);
        idle_ = false;  // idle_since_nanos_ stays until its head is in (ServeOneRequest)
        if (read_ec) co_return;
        buffer_.commit(n);
      }
      first = false;
      next = co_await ServeOneRequest();
    }
    // A connection that never answered has nothing in flight to protect.
    if (next != Next::kDrop && !first) co_await Shutdown();
  }

  // Security: one client cannot hold every connection
  // (ServerOptions::max_connections_per_address). Counted by network, as an
  // IPv6 host picks any address of its /64.
  bool ClaimClientPlace() {
    const std::string network = ClientNetwork(remote_address_);
    if (context_.connections.Claim(registry_id_, network,
                                   context_.options.max_connections_per_address)) {
      return true;
    }
    context_.metrics->ConnectionRejectedPerAddress();
    // One line a minute at most: a flood of connections is not also a flood
    // of log lines. The metric counts every one.
    const int64_t minute = SteadyMinute();
    if (context_.per_address_refusal_logged.exchange(minute) != minute) {
      Log(LogLevel::kWarn, "http_connections_per_address_reached",
          {{"network", network},
           {"max_connections_per_address",
            std::to_string(context_.options.max_connections_per_address)}});
    }
    return false;
  }

  bool FromBalancer() const {
    if (role_ != ListenerRole::kApi) return false;
    const auto& sources = context_.proxy_sources;
    return std::any_of(sources.begin(), sources.end(),
                       [&](const AddressRange& range) { return range.Contains(remote_address_); });
  }

  // Reads the balancer's PROXY header, exactly its bytes and no more (what
  // follows may be a TLS ClientHello), and takes the client's address from
  // it. False: refused (logged and counted); the connection ends.
  asio::awaitable<bool> ReadProxyHeader() {
    auto& lowest = beast::get_lowest_layer(stream_);
    lowest.expires_at(first_request_deadline_);
    std::string bytes;
    ProxyHeader header = ParseProxyHeader(bytes);
    while (header.state == ProxyHeader::State::kNeedMore) {
      const size_t have = bytes.size();
      bytes.resize(have + header.more);
      auto [read_ec, n] = co_await asio::async_read(
          lowest, asio::buffer(bytes.data() + have, header.more), kNoThrow);
      if (read_ec) {
        header = ProxyHeader{ProxyHeader::State::kInvalid, 0, 0, "", "PROXY protocol header: connection ended before it"};
        break;
      }
      header = ParseProxyHeader(bytes);
    }
    if (header.state != ProxyHeader::State::kComplete) {
      if (!StaysOpen()) co_return false;  // cut by us, as above
      context_.metrics->ProxyHeaderRefused();
      Log(LogLevel::kWarn, "http_proxy_header_refused",
          {{"balancer", remote_address_}, {"error", header.error}});
      co_return false;
    }
    if (!header.source_address.empty()) remote_address_ = RecordedAddress(header.source_address);
    co_return true;
  }

  asio::awaitable<Next> ServeOneRequest() {
    const auto start = std::chrono::steady_clock::now();
    const ServerOptions& options = context_.options;
    auto& lowest = beast::get_lowest_layer(stream_);

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(
        std::min<size_t>(options.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    // Beast checks a Content-Length against the limit while parsing the head,
    // before the target is known: the head is read under the larger limit,
    // then the request's own limit is applied before any of its body.
    const bool any_uploads = !options.upload_paths.empty();
    parser.body_limit(any_uploads ? std::max(options.max_body_bytes, options.max_upload_bytes)
                                  : options.max_body_bytes);
    if (first_request_pending_) {
      lowest.expires_at(first_request_deadline_);
      first_request_pending_ = false;
    } else {
      lowest.expires_after(options.read_timeout);
    }
    // Security: a connection counts as waiting until its request's head is
    // in. Busy from its first byte, one trickling heads on a keep-alive
    // connection (a byte, most of a read timeout, the rest, again) could not
    // be closed for a newcomer, and a few networks could hold every place.
    reading_head_ = true;
    if (idle_since_nanos_.load(std::memory_order_relaxed) == 0) {
      idle_since_nanos_.store(SteadyNanos(), std::memory_order_relaxed);  // pipelined
    }
    const int64_t waiting_since = idle_since_nanos_.load(std::memory_order_relaxed);
    auto [read_ec, head_bytes] =
        co_await bhttp::async_read_header(stream_, buffer_, parser, kNoThrow);
    reading_head_ = false;
    idle_since_nanos_.store(0, std::memory_order_relaxed);
    if (!read_ec && !FramedOnlyByUs(parser.get())) read_ec = bhttp::error::bad_transfer_encoding;

    Request request;
    request.request_id = NewRequestId(*context_.random);
    request.remote_address = remote_address_;
    request.tls = kTls;
    if (parser.is_header_done()) {
      request.method = ToString(parser.get().method_string());
      request.target = ToString(parser.get().target());
    }
    size_t host_fields = 0;
    if (!read_ec) host_fields = TakeHeaders(parser.get(), request);

    // Counted by network: an IPv6 host picks any address of its /64.
    UploadSlot upload(context_.uploads, ClientNetwork(remote_address_));
    bool uploading = false;
    bool upload_refused = false;  // an upload path's body, held to the small limit
    bool no_upload_place = false;  // admitted, but every place (or this network's) is taken
    if (!read_ec) {
      // Unknown only for a chunked body: without either header a request
      // has none, and is no upload to spend an admission check on.
      const auto length = parser.content_length();
      const std::optional<uint64_t> declared =
          length ? std::optional<uint64_t>(*length)
                 : (parser.chunked() ? std::nullopt : std::optional<uint64_t>(0));
      // Not one condition: in `a && co_await b && c`, g++ 12 ran the
      // co_await even when `a` was false (a test caught it; two operands,
      // as in Serve(), behave).
      const bool wants_upload = WantsUploadLimit(options, request.target, declared);
      bool admitted = wants_upload;
      if (admitted) admitted = co_await AdmitsUpload(request);
      if (admitted &&
          upload.TryTake(options.max_concurrent_uploads, options.max_uploads_per_address)) {
        parser.body_limit(options.max_upload_bytes);
        uploading = true;
      } else if (declared && *declared > options.max_body_bytes) {
        read_ec = bhttp::error::body_limit;  // refused from the head, as Beast would
      } else {
        parser.body_limit(options.max_body_bytes);  // a chunked body is counted as it comes
      }
      upload_refused = wants_upload && !uploading;
      no_upload_place = admitted && !uploading;
    }
    if (!read_ec) {
      const auto head_fields = std::distance(parser.get().begin(), parser.get().end());
      // Security: the body is still waited for, since its head began: a
      // body trickled on a keep-alive connection (most of a read timeout,
      // the rest, again) must not hold a place a trickled head could not.
      // An upload, bounded by max_concurrent_uploads, is served as it comes.
      if (!uploading) {
        idle_since_nanos_.store(waiting_since, std::memory_order_relaxed);
        reading_body_ = true;
      }
      // RFC 9110 §10.1.1: a client waiting for a go-ahead before its body
      // (curl, past 1 KiB) gets it once the head is admitted, instead of
      // sending on its own after a second. None for a head refused (413),
      // an upload not admitted (held to the small limit: it may be cut
      // short), a request answered 400 after its body (target, Host), or a
      // connection still on probation: those clients send after their wait.
      // Sent under the read deadline already running.
      const bool go_ahead = !parser.is_done() && WaitsForContinue(parser.get()) &&
                            !upload_refused && !on_probation_ && host_fields == 1 &&
                            IsOriginForm(request.target);
      if (go_ahead) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [continue_ec, sent] =
            co_await asio::async_write(stream_, asio::buffer(kContinue), kNoThrow);
        if (continue_ec) co_return Next::kDrop;
      }
      auto [body_ec, body_bytes] = co_await bhttp::async_read(stream_, buffer_, parser, kNoThrow);
      reading_body_ = false;
      idle_since_nanos_.store(0, std::memory_order_relaxed);
      read_ec = body_ec;
      // The head was read whole: what overflowed the buffer is a chunk's
      // line (a size with an endless extension), a malformed body (400).
      if (read_ec == bhttp::error::buffer_overflow) read_ec = bhttp::error::bad_chunk;
      // Security (RFC 9110 §6.5.1): Beast adds a chunked body's trailer
      // fields to the head, where they would pass for headers no proxy saw
      // (Content-Type, Authorization, DPoP). No request needs a trailer: refused.
      if (!read_ec && std::distance(parser.get().begin(), parser.get().end()) != head_fields) {
        read_ec = bhttp::error::bad_field;
      }
    }

    if (read_ec) {
      // Beast sets the target once it has parsed the request line. A
      // stranger's upload still reads 413, and so does a declared length
      // over the upload limit (refused before the place was looked for).
      std::optional<Response> problem =
          ProblemForReadError(read_ec, request,
                              {.request_line_read = !parser.get().target().empty(),
                               .upload_place_taken = no_upload_place});
      if (!problem) co_return Next::kDrop;
      // Security: the rest of the stream cannot be trusted to be framed
      // correctly (request smuggling), so the connection ends here. The
      // answer to a HEAD has no body (RFC 9110 §9.3.2), refused or not.
      const bool head =
          !parser.get().target().empty() && parser.get().method() == bhttp::verb::head;
      bool written = co_await Respond(request, std::move(*problem), start, 11, head, false);
      co_return written ? Next::kClose : Next::kDrop;
    }

    bhttp::request<bhttp::string_body>& message = parser.get();
    request.body = std::move(message.body());
    const unsigned version = message.version();
    const bool head = message.method() == bhttp::verb::head;
    bool keep_alive = message.keep_alive();
    const bool origin_form = IsOriginForm(request.target);
    const bool well_formed = origin_form && (version < 11 || host_fields == 1);
    if (on_probation_ && well_formed) {
      // Opened at the cap: a place now that a whole request has come, or
      // none. (One not well formed is answered below, and the connection ends.)
      if (!context_.connections.MakeRoom(registry_id_, options.max_connections)) {
        context_.metrics->ConnectionRejected();
        Response busy = ProblemFor(Error(ErrorCode::kUnavailable, "connection cap"),
                                   request.request_id, "too many connections; retry shortly");
        busy.headers.emplace_back("Retry-After", "1");
        bool written = co_await Respond(request, std::move(busy), start, version, head, false);
        co_return written ? Next::kClose : Next::kDrop;
      }
      on_probation_ = false;
    }

    InFlightRequest in_flight(role_ == ListenerRole::kApi ? context_.metrics : nullptr);
    Response response;
    if (!origin_form) {
      // No proxying, no "*", no fragment, nothing outside RFC 3986.
      response = Problem(400, StatusPhrase(400),
                         "The request target must be a path (RFC 3986), with no fragment.",
                         request.request_id);
      keep_alive = false;
    } else if (!well_formed) {
      // RFC 9112 §3.2: exactly one Host in HTTP/1.1.
      response = Problem(400, StatusPhrase(400), "Exactly one Host header is required.",
                         request.request_id);
      keep_alive = false;
    } else if (role_ == ListenerRole::kMetrics) {
      response = MetricsListenerResponse(request, *context_.metrics);
    } else if (request.Path() == kHealthPath) {
      response = HealthResponse(request);
    } else if (request.Path() == kReadyPath) {
      response = ReadinessResponse(request, !context_.stopping.load() && OwnerSaysReady());
    } else if (request.Path() == kMetricsPath || !context_.handler) {
      // Security: /metrics is never served on the public listener.
      response = NotFoundResponse(request);
    } else {
      response = co_await RunHandler(request);
    }
    // Answered: the body's memory and its place among uploads are free
    // before the response goes out.
    std::string().swap(request.body);
    upload.Release();
    keep_alive = keep_alive && StaysOpen();  // decided once: the header says what follows
    bool written = co_await Respond(request, std::move(response), start, version, head, keep_alive);
    if (!written) co_return Next::kDrop;
    co_return keep_alive ? Next::kContinue : Next::kClose;
  }

  // Whether `head`'s sender may send an upload's body (ServerOptions::
  // upload_admission), asked on a worker: the answer may read the database.
  asio::awaitable<bool> AdmitsUpload(const Request& head) {
    const auto& admission = context_.options.upload_admission;
    if (!admission) co_return true;
    auto [exception, admitted] = co_await asio::co_spawn(
        context_.workers,
        [&admission, &head]() -> asio::awaitable<bool> { co_return admission(head); }, kNoThrow);
    if (exception) {
      Log(LogLevel::kError, "http_upload_admission_exception", {{"request_id", head.request_id}});
      co_return false;
    }
    co_return admitted;
  }

  asio::awaitable<Response> RunHandler(const Request& request) {
    const Handler& handler = context_.handler;
    const bool waiting = context_.IsWaitingPath(request.Path());
    if (waiting && !context_.TakeWaitingPlace()) {
      Response busy =
          ProblemFor(Error(ErrorCode::kResourceExhausted, "waiting pool full"), request.request_id,
                     "too many requests of this kind at once; retry shortly");
      busy.headers.emplace_back("Retry-After", "1");
      co_return busy;
    }
    struct Place {
      ServerContext* context;  // null: no place taken
      ~Place() {
        if (context != nullptr) context->ReleaseWaitingPlace();
      }
    } place{waiting ? &context_ : nullptr};
    auto [exception, response] = co_await asio::co_spawn(
        waiting ? *context_.waiting : context_.workers,
        [&handler, &request]() -> asio::awaitable<Response> {
          co_return InvokeHandler(handler, request);
        },
        kNoThrow);
    if (exception) co_return InternalErrorProblem(request.request_id);
    if (response.hold_until) {
      std::shared_ptr<Confirmation> confirmation = std::move(response.hold_until);
      if (Result<void> confirmed = co_await AwaitConfirmation(*confirmation); !confirmed) {
        if (response.on_withheld && !co_await RunOnWorker(std::move(response.on_withheld))) {
          Log(LogLevel::kError, "http_withheld_step_exception", {});
        }
        Response refusal = ProblemFor(confirmed.error(), request.request_id);
        refusal.log_route = std::move(response.log_route);
        refusal.log_agent_id = std::move(response.log_agent_id);
        co_return refusal;
      }
    }
    co_return std::move(response);
  }

  // Waits until `confirmation` is answered or its deadline passes, holding
  // no thread, then runs its step (detection) on a worker. Runs on the
  // connection's strand, so the wake-up, posted there, always finds the
  // timer waiting.
  asio::awaitable<Result<void>> AwaitConfirmation(Confirmation& confirmation) {
    auto executor = co_await asio::this_coro::executor;
    auto timer = std::make_shared<asio::steady_timer>(executor, confirmation.deadline());
    // Tracked: the I/O threads cannot run out of work, and the server finish
    // stopping, while a writer thread settling late may still post here.
    auto tracked = asio::prefer(executor, asio::execution::outstanding_work.tracked);
    confirmation.OnSettled(
        [timer, tracked] { asio::post(tracked, [timer] { timer->cancel(); }); });
    co_await timer->async_wait(kNoThrow);
    std::function<void()> step;
    Result<void> outcome = confirmation.Conclude(step);
    // Not one condition: see the upload admission above (g++ 12).
    bool step_failed = false;
    if (outcome && step) step_failed = !co_await RunOnWorker(std::move(step));
    if (step_failed) {
      Log(LogLevel::kError, "http_confirmation_step_exception", {});
      co_return Fail(ErrorCode::kInternal, "the confirmation's step failed");
    }
    co_return outcome;
  }

  // The owner's readiness; a check that throws says "not ready" (503), not
  // a connection cut without an answer.
  bool OwnerSaysReady() const {
    if (!context_.options.readiness) return true;
    try {
      return context_.options.readiness();
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "http_readiness_exception", {{"error", e.what()}});
      return false;
    }
  }

  // Runs `work` (which may block) on the worker pool; false if it threw.
  asio::awaitable<bool> RunOnWorker(std::function<void()> work) {
    auto [exception] = co_await asio::co_spawn(
        context_.workers,
        [&work]() -> asio::awaitable<void> {
          work();
          co_return;
        },
        kNoThrow);
    co_return !exception;
  }

  // Writes `response` with the server's headers, then logs and counts it.
  // Returns false if the write failed (the connection is then dropped).
  asio::awaitable<bool> Respond(const Request& request, Response response,
                                std::chrono::steady_clock::time_point start, unsigned version,
                                bool head, bool keep_alive) {
    if (response.status < 200 || response.status > 599) {
      Log(LogLevel::kError, "http_handler_bad_status",
          {{"request_id", request.request_id}, {"status", response.status}});
      response = InternalErrorProblem(request.request_id);
    }
    const int status = response.status;
    bhttp::response<bhttp::string_body> message;
    message.version(version);
    message.result(static_cast<unsigned>(status));
    const std::string_view phrase = StatusPhrase(status);
    message.reason(beast::string_view(phrase.data(), phrase.size()));
    for (const auto& [name, value] : FinalHeaders(response, kTls, request.request_id)) {
      message.insert(beast::string_view(name.data(), name.size()),
                     beast::string_view(value.data(), value.size()));
    }
    message.set(bhttp::field::date, HttpDate(std::chrono::system_clock::now()));
    size_t body_bytes = response.body.size();
    if (status == 204 || status == 304) {
      body_bytes = 0;
    } else if (head) {
      message.content_length(body_bytes);
      body_bytes = 0;
    } else {
      message.body() = std::move(response.body);
      message.prepare_payload();
    }
    message.keep_alive(keep_alive);

    auto& lowest = beast::get_lowest_layer(stream_);
    lowest.expires_after(context_.options.write_timeout);
    // Security: waiting too, on its client: how long a write takes is the
    // client's to decide (a receive window kept nearly shut). Busy, one that
    // pipelines requests and reads each answer just within the write
    // timeout could never be closed for a newcomer, and a few networks
    // could hold every place. Ranked after those waiting for a request
    // (ConnectionRegistry::MakeRoom): it may be an agent's download.
    writing_ = true;
    taking_response_since_nanos_.store(SteadyNanos(), std::memory_order_relaxed);
    auto [write_ec, written] = co_await bhttp::async_write(stream_, message, kNoThrow);
    writing_ = false;
    taking_response_since_nanos_.store(0, std::memory_order_relaxed);

    if (role_ == ListenerRole::kApi) {
      auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - start);
      context_.metrics->RecordRequest(status, latency);
      AccessLogEntry entry;
      entry.time = context_.clock->Now();
      entry.request_id = request.request_id;
      entry.remote_address = request.remote_address;
      entry.method = request.method;
      entry.route = response.log_route;
      entry.status = status;
      entry.latency = latency;
      entry.response_bytes = body_bytes;
      entry.tls = kTls;
      entry.agent_id = response.log_agent_id;
      context_.access_log(FormatAccessLogLine(entry));
    }
    co_return !write_ec;
  }

  // Whether the connection may wait for another request: not once the
  // server stops, nor once its place went to a newcomer.
  bool StaysOpen() const {
    return !context_.stopping.load() && !gave_up_place_.load(std::memory_order_relaxed);
  }

  // Ends the connection after its last response. No TLS close_notify
  // exchange: HTTP/1.1 messages are length-delimited, so its absence cannot
  // truncate a response unnoticed, and waiting for the peer's would let a
  // client hold the socket open.
  asio::awaitable<void> Shutdown() {
    auto& lowest = beast::get_lowest_layer(stream_);
    if (!lowest.socket().is_open()) co_return;
    boost::system::error_code ec;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!ec) {
      // Closing with unread input makes the kernel send RST, which discards
      // what the response still has in flight: an error response, or any
      // response before a close of ours (a stop, a place given up, a 503)
      // to a client that pipelined more. So the client's bytes are drained,
      // a bounded amount for a bounded time (a "lingering close"); a client
      // that reads its response and closes ends this at once. Meanwhile it
      // serves nobody: at the cap, its place is the first a newcomer takes
      // (waiting since the earliest time), while it goes on draining. A
      // stop waits for it (at most kLingerTime).
      idle_since_nanos_.store(1, std::memory_order_relaxed);
      lowest.expires_after(
          std::min<std::chrono::milliseconds>(context_.options.read_timeout, kLingerTime));
      std::array<char, kReadChunk> sink;
      size_t drained = 0;
      while (drained < kMaxLingerBytes) {
        auto [drain_ec, n] = co_await lowest.async_read_some(asio::buffer(sink), kNoThrow);
        if (drain_ec) break;
        drained += n;
      }
    }
    lowest.close();
  }

  ServerContext& context_;
  const ListenerRole role_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::string remote_address_;
  uint64_t registry_id_ = 0;
  bool on_probation_ = false;  // opened at the cap (ConnectionRegistry)
  bool idle_ = false;          // touched only on the connection's strand
  bool opening_ = false;       // its PROXY header or TLS handshake; likewise
  bool reading_head_ = false;  // likewise
  bool reading_body_ = false;  // one that holds no upload place; likewise
  bool writing_ = false;       // a response to a client that reads it; likewise
  // Read by the registry from other threads.
  std::atomic<int64_t> idle_since_nanos_{0};  // see ConnectionControl
  std::atomic<int64_t> taking_response_since_nanos_{0};  // likewise
  std::atomic<bool> gave_up_place_{false};
  // Set by Serve(): when the PROXY header, TLS handshake and first request
  // must all be in. Touched only on the connection's strand.
  std::chrono::steady_clock::time_point first_request_deadline_;
  bool first_request_pending_ = true;
};

}  // namespace

void ServeConnection(ServerContext& context, tcp::socket socket, ListenerRole role,
                     bool on_probation) {
  if (role == ListenerRole::kApi && context.tls) {
    auto connection = std::make_shared<Connection<TlsStream>>(context, std::move(socket), role);
    connection->PutOnProbation(on_probation);
    Connection<TlsStream>::Launch(std::move(connection));
  } else {
    auto connection = std::make_shared<Connection<PlainStream>>(context, std::move(socket), role);
    connection->PutOnProbation(on_probation);
    Connection<PlainStream>::Launch(std::move(connection));
  }
}

}  // namespace vigie::http::internal
