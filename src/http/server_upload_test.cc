// The server over real sockets: request bodies that ask for more - a
// go-ahead before sending (Expect: 100-continue) and the larger bodies of
// upload paths, admitted by the owner and bounded per server and per
// client network. Size limits of ordinary bodies are in server_test.cc.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "http/server.h"
#include "http/testing/server_test_fixture.h"

namespace vigie::http {
namespace {

using testing::Fetch;
using testing::RequestText;
using testing::ServerTest;
using testing::TestClient;

// A client that waits before sending its body (curl past 1 KiB) is told to
// go ahead once its head is admitted; one refused from its head is told
// so at once, and never to go ahead.
TEST_F(ServerTest, AClientExpecting100ContinueIsToldToGoAheadOrRefusedAtOnce) {
  ServerOptions o = BaseOptions();
  o.max_body_bytes = 1000;
  Start(o);
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  ASSERT_OK((*client)->Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto go_ahead = (*client)->ReadResponse();
  ASSERT_OK(go_ahead);
  EXPECT_EQ(go_ahead->status, 100);
  ASSERT_OK((*client)->Send("hello"));
  auto answered = (*client)->ReadResponse();
  ASSERT_OK(answered);
  EXPECT_EQ(answered->status, 200);
  EXPECT_EQ(answered->body, "/echo|hello");

  auto too_large = TestClient::Connect(port());
  ASSERT_OK(too_large);
  ASSERT_OK((*too_large)
                ->Send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
                       "5000\r\n\r\n"));
  auto refused = (*too_large)->ReadResponse();
  ASSERT_OK(refused);
  EXPECT_EQ(refused->status, 413);

  // Refused after its body (two Host fields, a target not in origin-form):
  // no go-ahead first, only the 400.
  for (const char* head : {"POST /echo HTTP/1.1\r\nHost: x\r\nHost: y\r\n",
                           "POST http://x/echo HTTP/1.1\r\nHost: x\r\n"}) {
    auto bad = TestClient::Connect(port());
    ASSERT_OK(bad);
    ASSERT_OK(
        (*bad)->Send(std::string(head) + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"));
    auto answered_bad = (*bad)->ReadResponse();
    ASSERT_OK(answered_bad);
    EXPECT_EQ(answered_bad->status, 400) << head;
  }
  EXPECT_EQ(handler_calls_, 1);
}

TEST_F(ServerTest, UploadPathsTakeLargerBodiesOthersKeepTheSmallLimit) {
  ServerOptions o = BaseOptions();
  o.max_body_bytes = 1000;
  o.max_upload_bytes = 5000;
  o.upload_paths = {"/echo/upload"};
  Start(o);
  const std::string mid(3000, 'u');
  auto upload = Fetch(port(), "POST", "/echo/upload", std::nullopt, "", mid);
  ASSERT_OK(upload);
  EXPECT_EQ(upload->status, 200);
  EXPECT_EQ(upload->body, "/echo/upload|" + mid);
  auto with_query = Fetch(port(), "POST", "/echo/upload?name=leak.csv", std::nullopt, "", mid);
  ASSERT_OK(with_query);
  EXPECT_EQ(with_query->status, 200);
  // Another path, even one the upload path starts: the ordinary limit.
  for (std::string_view other : {"/echo", "/echo/upload/more", "/echo/uploads"}) {
    auto refused = Fetch(port(), "POST", other, std::nullopt, "", mid);
    ASSERT_OK(refused);
    EXPECT_EQ(refused->status, 413) << other;
  }
  auto too_big = Fetch(port(), "POST", "/echo/upload", std::nullopt, "", std::string(5001, 'u'));
  ASSERT_OK(too_big);
  EXPECT_EQ(too_big->status, 413);
  // Chunked (length unknown from the head): the upload limit still holds.
  auto chunked = TestClient::Connect(port());
  ASSERT_OK(chunked);
  std::string chunk = std::string("800\r\n") + std::string(0x800, 'b') + "\r\n";
  ASSERT_OK(
      (*chunked)->Send("POST /echo/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                       "chunked\r\n\r\n" +
                       chunk + chunk + chunk));
  auto r = (*chunked)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(handler_calls_, 2);
}

// The upload places: a server whose upload paths (/echo/upload, /slow) take
// bodies up to 5 000 bytes, others 1 000, `places` of them buffered at once
// and one per address; and a large body sent to /slow, whose handler holds
// it until slow_gate_ opens.
class UploadPlacesTest : public ServerTest {
 protected:
  const std::string mid_ = std::string(3000, 'u');

  // The client that sent the held body; null (a failure added) if it could not.
  std::unique_ptr<TestClient> HoldOneLargeUpload(size_t places) {
    ServerOptions o = BaseOptions();
    o.max_body_bytes = 1000;
    o.max_upload_bytes = 5000;
    o.max_concurrent_uploads = places;
    o.max_uploads_per_address = 1;
    o.upload_paths = {"/echo/upload", "/slow"};
    o.worker_threads = 2;
    Start(o);
    auto slow = TestClient::Connect(port());
    if (!slow || !(*slow)->Send(RequestText("POST", "/slow", "", mid_)) || !slow_entered_.Wait()) {
      ADD_FAILURE() << "the large body to /slow was not held";
      return nullptr;
    }
    return std::move(*slow);
  }
};

TEST_F(UploadPlacesTest, OnlySoManyLargeUploadsAreBufferedAtOnce) {
  // One large body held by a handler that has not answered yet...
  auto slow = HoldOneLargeUpload(/*places=*/1);
  ASSERT_NE(slow, nullptr);
  // ... so another is told to come back (not that it is too large); a
  // small one is unaffected.
  auto refused = Fetch(port(), "POST", "/echo/upload", std::nullopt, "", mid_);
  ASSERT_OK(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->Header("Retry-After").value_or(""), "5");
  EXPECT_NE(refused->body.find("send the file again shortly"), std::string::npos) << refused->body;
  auto small = Fetch(port(), "POST", "/echo/upload", std::nullopt, "", "tiny");
  ASSERT_OK(small);
  EXPECT_EQ(small->status, 200);
  slow_gate_.Open();
  auto done = slow->ReadResponse();
  ASSERT_OK(done);
  EXPECT_EQ(done->status, 200);
  // The place is free again once the first was answered.
  auto again = Fetch(port(), "POST", "/echo/upload", std::nullopt, "", mid_);
  ASSERT_OK(again);
  EXPECT_EQ(again->status, 200);
}

// Large bodies are read before anyone is authenticated: one client address
// holds at most max_uploads_per_address of the places, however many are free.
TEST_F(UploadPlacesTest, OneAddressCannotHoldEveryUploadPlace) {
  auto slow = HoldOneLargeUpload(/*places=*/4);
  ASSERT_NE(slow, nullptr);
  // Three places are free, but not for this address.
  auto refused = Fetch(port(), "POST", "/echo/upload", std::nullopt, "", mid_);
  ASSERT_OK(refused);
  EXPECT_EQ(refused->status, 503);
  slow_gate_.Open();
  ASSERT_OK(slow->ReadResponse());
  auto again = Fetch(port(), "POST", "/echo/upload", std::nullopt, "", mid_);
  ASSERT_OK(again);
  EXPECT_EQ(again->status, 200);
}

// The places go only to senders the admission accepts, judged from the
// head alone, before a byte of the body is read.
TEST_F(ServerTest, AnUploadPlaceGoesOnlyToAHeadTheAdmissionAccepts) {
  ServerOptions o = BaseOptions();
  o.max_body_bytes = 1000;
  o.max_upload_bytes = 5000;
  o.upload_paths = {"/echo/upload"};
  std::mutex seen_mutex;
  std::vector<Request> seen;
  o.upload_admission = [&](const Request& head) {
    std::lock_guard lock(seen_mutex);
    seen.push_back(head);
    return head.Header("X-Officer").has_value();
  };
  Start(o);
  const std::string mid(3000, 'u');
  auto stranger = Fetch(port(), "POST", "/echo/upload", std::nullopt, "", mid);
  ASSERT_OK(stranger);
  EXPECT_EQ(stranger->status, 413);
  auto small = Fetch(port(), "POST", "/echo/upload", std::nullopt, "", "tiny");
  ASSERT_OK(small);
  EXPECT_EQ(small->status, 200) << "a body within the ordinary limit asks nothing";
  auto bodyless = TestClient::Connect(port());
  ASSERT_OK(bodyless);
  ASSERT_OK((*bodyless)->Send("POST /echo/upload HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto nothing_sent = (*bodyless)->ReadResponse();
  ASSERT_OK(nothing_sent);
  EXPECT_EQ(nothing_sent->status, 200) << "no length and not chunked: no body, nothing to ask";
  auto officer = Fetch(port(), "POST", "/echo/upload?x=1", std::nullopt, "X-Officer: 1\r\n", mid);
  ASSERT_OK(officer);
  EXPECT_EQ(officer->status, 200);
  EXPECT_EQ(officer->body, "/echo/upload|" + mid);
  std::lock_guard lock(seen_mutex);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].target, "/echo/upload?x=1");
  EXPECT_EQ(seen[1].remote_address, "127.0.0.1");
  EXPECT_FALSE(seen[1].request_id.empty());
  EXPECT_TRUE(seen[1].body.empty());
}

// A chunked upload is told to go ahead only when admitted: one refused is
// held to the small limit and may be cut short, so it gets no go-ahead.
TEST_F(ServerTest, OnlyAnAdmittedChunkedUploadIsToldToGoAhead) {
  ServerOptions o = BaseOptions();
  o.max_body_bytes = 1000;
  o.max_upload_bytes = 5000;
  o.upload_paths = {"/echo/upload"};
  o.upload_admission = [](const Request& head) { return head.Header("X-Officer").has_value(); };
  Start(o);
  const std::string chunked_head =
      "POST /echo/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Expect: 100-continue\r\n";
  const std::string body = "4\r\ntiny\r\n0\r\n\r\n";
  auto stranger = TestClient::Connect(port());
  ASSERT_OK(stranger);
  ASSERT_OK((*stranger)->Send(chunked_head + "\r\n" + body));
  auto answered = (*stranger)->ReadResponse();
  ASSERT_OK(answered);
  EXPECT_EQ(answered->status, 200) << "no go-ahead first";
  EXPECT_EQ(answered->body, "/echo/upload|tiny");

  auto officer = TestClient::Connect(port());
  ASSERT_OK(officer);
  ASSERT_OK((*officer)->Send(chunked_head + "X-Officer: 1\r\n\r\n"));
  auto go_ahead = (*officer)->ReadResponse();
  ASSERT_OK(go_ahead);
  EXPECT_EQ(go_ahead->status, 100);
  ASSERT_OK((*officer)->Send(body));
  auto uploaded = (*officer)->ReadResponse();
  ASSERT_OK(uploaded);
  EXPECT_EQ(uploaded->body, "/echo/upload|tiny");
}

// An admission that throws is a refusal, not a crash.
TEST_F(ServerTest, AnAdmissionThatThrowsRefusesTheUpload) {
  ServerOptions o = BaseOptions();
  o.max_body_bytes = 1000;
  o.max_upload_bytes = 5000;
  o.upload_paths = {"/echo/upload"};
  o.upload_admission = [](const Request&) -> bool { throw std::runtime_error("database gone"); };
  Start(o);
  auto refused = Fetch(port(), "POST", "/echo/upload", std::nullopt, "", std::string(3000, 'u'));
  ASSERT_OK(refused);
  EXPECT_EQ(refused->status, 413);
  auto healthy = Fetch(port(), "GET", "/healthz");
  ASSERT_OK(healthy);
  EXPECT_EQ(healthy->status, 200);
}

}  // namespace
}  // namespace vigie::http
