#include "web/static_site.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace vigie::web {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::optional<std::string> HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (http::EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

http::Request Get(std::string target, http::HeaderList headers = {}) {
  http::Request request;
  request.method = "GET";
  request.target = std::move(target);
  request.headers = std::move(headers);
  return request;
}

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Write(dir_ / "index.html", "<!doctype html><title>Vigie</title>");
    Write(dir_ / "index.html.gz", "GZ-INDEX");
    Write(dir_ / "favicon.svg", "<svg/>");
    Write(dir_ / "assets" / "app-3F2A.js", "console.log(1)");
    Write(dir_ / "assets" / "app-3F2A.js.gz", "GZ-APP");
    Write(dir_ / "assets" / "app-3F2A.js.map", "{}");
  }
  StaticSite Load() {
    auto site = StaticSite::Load(dir_.path());
    EXPECT_TRUE(site.has_value()) << site.error().message();
    return std::move(*site);
  }
  testing::TempDir dir_;
};

TEST_F(StaticSiteTest, ServesTheIndexAtTheRootUnderThePageCsp) {
  StaticSite site = Load();
  auto r = site.Serve(Get("/"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<!doctype html><title>Vigie</title>");
  EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r->content_security_policy, kPageContentSecurityPolicy);
  EXPECT_EQ(r->log_route, "/");  // the access log names our file, not "(unrouted)"
  EXPECT_EQ(HeaderOf(*r, "Cache-Control"), "no-store");  // no back/forward cache either
  EXPECT_EQ(HeaderOf(*r, "Cross-Origin-Opener-Policy"), "same-origin");
  EXPECT_FALSE(HeaderOf(*r, "Content-Encoding").has_value());
  // The page's CSP allows no inline code and enforces Trusted Types.
  EXPECT_EQ(kPageContentSecurityPolicy.find("unsafe"), std::string_view::npos);
  EXPECT_NE(kPageContentSecurityPolicy.find("require-trusted-types-for 'script'"),
            std::string_view::npos);
}

TEST_F(StaticSiteTest, HashedAssetsAreImmutableAndSentCompressedToWhoeverAcceptsGzip) {
  StaticSite site = Load();
  auto plain = site.Serve(Get("/assets/app-3F2A.js"));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->body, "console.log(1)");
  EXPECT_EQ(plain->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(*plain, "Cache-Control"), "public, max-age=31536000, immutable");
  auto gz = site.Serve(Get("/assets/app-3F2A.js", {{"accept-encoding", "br, gzip;q=0.8"}}));
  ASSERT_TRUE(gz.has_value());
  EXPECT_EQ(gz->body, "GZ-APP");
  EXPECT_EQ(HeaderOf(*gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(HeaderOf(*gz, "Vary"), "Accept-Encoding");
  for (const char* refusing : {"gzip;q=0", "gzip; Q=0.0", "gzipped"}) {
    auto refused = site.Serve(Get("/assets/app-3F2A.js", {{"Accept-Encoding", refusing}}));
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->body, "console.log(1)") << refusing;
  }
}

TEST_F(StaticSiteTest, AnUnchangedFileIsNotSentAgain) {
  StaticSite site = Load();
  auto first = site.Serve(Get("/"));
  ASSERT_TRUE(first.has_value());
  const auto etag = HeaderOf(*first, "ETag");
  ASSERT_TRUE(etag.has_value());
  auto again = site.Serve(Get("/", {{"If-None-Match", "\"x\", W/" + *etag}}));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  EXPECT_EQ(HeaderOf(*again, "ETag"), etag);
  auto other = site.Serve(Get("/", {{"If-None-Match", "\"something-else\""}}));
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->status, 200);
}

// The compressed form is other bytes: its own validator, so neither form's
// tag revalidates the other (a .gz left from an older build included).
TEST_F(StaticSiteTest, TheCompressedFormHasItsOwnEtag) {
  StaticSite site = Load();
  const http::HeaderList gzip = {{"Accept-Encoding", "gzip"}};
  auto plain = site.Serve(Get("/assets/app-3F2A.js"));
  auto packed = site.Serve(Get("/assets/app-3F2A.js", gzip));
  ASSERT_TRUE(plain.has_value() && packed.has_value());
  const auto plain_tag = HeaderOf(*plain, "ETag"), packed_tag = HeaderOf(*packed, "ETag");
  ASSERT_TRUE(plain_tag && packed_tag);
  EXPECT_NE(*plain_tag, *packed_tag);

  auto crossed = site.Serve(
      Get("/assets/app-3F2A.js", {{"Accept-Encoding", "gzip"}, {"If-None-Match", *plain_tag}}));
  ASSERT_TRUE(crossed.has_value());
  EXPECT_EQ(crossed->status, 200);
  EXPECT_EQ(crossed->body, "GZ-APP");
  auto same = site.Serve(
      Get("/assets/app-3F2A.js", {{"Accept-Encoding", "gzip"}, {"If-None-Match", *packed_tag}}));
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->status, 304);
  EXPECT_EQ(HeaderOf(*same, "Content-Encoding"), "gzip");
}

TEST_F(StaticSiteTest, AHeadIsAnsweredAsAGet) {
  StaticSite site = Load();
  http::Request head = Get("/assets/app-3F2A.js");
  head.method = "HEAD";
  auto r = site.Serve(head);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(r->body, "console.log(1)");  // its length is told; the server drops it
}

TEST_F(StaticSiteTest, OnlyTheFilesReadAtLoadExist) {
  StaticSite site = Load();
  EXPECT_EQ(site.file_count(), 3u);  // index, favicon, the script (not its map)
  for (const char* path :
       {"/index.html", "/assets/app-3F2A.js.map", "/assets/../index.html", "/assets/",
        "/assets/app-3F2A.js.gz", "/api/v1/self", "/assets/APP-3F2A.JS"}) {
    EXPECT_FALSE(site.Serve(Get(path)).has_value()) << path;
  }
  // A query string does not change the file.
  EXPECT_TRUE(site.Serve(Get("/?lang=en")).has_value());
}

// A secret beside the site: no path, however written, reaches it.
TEST_F(StaticSiteTest, NoPathLeavesTheSite) {
  Write(dir_.path().parent_path() / (dir_.path().filename().string() + ".key"), "SECRET");
  Write(dir_ / "assets" / "deep" / "x.js", "nested");
  StaticSite site = Load();
  const std::string key = dir_.path().filename().string() + ".key";
  for (const std::string& path :
       {"/../" + key, "/assets/../../" + key, "/%2e%2e/" + key, "/..%2f" + key, "/..\\" + key,
        "/assets/%2e%2e/%2e%2e/" + key, "//" + key, std::string("/assets/deep/x.js"),
        std::string("/deep/x.js")}) {
    auto r = site.Serve(Get(path));
    EXPECT_FALSE(r.has_value()) << path << ": " << (r ? r->body : "");
  }
  fs::remove(dir_.path().parent_path() / key);
}

// What an editor or a copy leaves (a .DS_Store, a .gitkeep) is not served
// and does not take the portal down.
TEST_F(StaticSiteTest, DotfilesAreNeverServed) {
  Write(dir_ / ".env.json", "{}");
  Write(dir_ / "assets" / ".gitkeep.txt", "");
  StaticSite site = Load();
  EXPECT_EQ(site.file_count(), 3u);
  EXPECT_FALSE(site.Serve(Get("/.env.json")).has_value());
  EXPECT_FALSE(site.Serve(Get("/assets/.gitkeep.txt")).has_value());
}

// Only the top-level index is the page at "/": one under assets/ is an
// ordinary (immutable) asset at its own name, not the assets' directory page.
TEST_F(StaticSiteTest, AnIndexUnderAssetsIsNotTheirDirectoryPage) {
  Write(dir_ / "assets" / "index.html", "stale");
  StaticSite site = Load();
  EXPECT_FALSE(site.Serve(Get("/assets/")).has_value());
  auto named = site.Serve(Get("/assets/index.html"));
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->body, "stale");
}

TEST_F(StaticSiteTest, TheSiteIsReadOnly) {
  StaticSite site = Load();
  http::Request post = Get("/");
  post.method = "POST";
  auto r = site.Serve(post);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(HeaderOf(*r, "Allow"), "GET, HEAD");
}

TEST_F(StaticSiteTest, RefusesASiteWithoutIndexOrWithStrangeFiles) {
  testing::TempDir empty;
  auto missing = StaticSite::Load(empty.path());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);

  Write(dir_ / "assets" / "evil name.js", "x");
  auto strange = StaticSite::Load(dir_.path());
  ASSERT_FALSE(strange.has_value());
  EXPECT_EQ(strange.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(StaticSiteTest, RefusesAFileTooLargeForAWebPage) {
  Write(dir_ / "assets" / "huge.js", std::string(kMaxFileBytes + 1, 'x'));
  auto site = StaticSite::Load(dir_.path());
  ASSERT_FALSE(site.has_value());
  EXPECT_EQ(site.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(site.error().message().find("too large"), std::string::npos) << site.error().message();
}

TEST_F(StaticSiteTest, RefusesAnAssetsDirectoryThatIsALink) {
  testing::TempDir elsewhere;
  Write(elsewhere / "secret.json", "{\"key\":1}");
  fs::remove_all(dir_ / "assets");
  fs::create_directory_symlink(elsewhere.path(), dir_ / "assets");
  auto site = StaticSite::Load(dir_.path());
  ASSERT_FALSE(site.has_value());
  EXPECT_NE(site.error().message().find("symbolic link"), std::string::npos)
      << site.error().message();
}

// The root is the operator's to name, a link included (current -> release).
TEST_F(StaticSiteTest, ARootThatIsALinkIsServed) {
  testing::TempDir links;
  fs::create_directory_symlink(dir_.path(), links / "current");
  auto site = StaticSite::Load(links / "current");
  ASSERT_TRUE(site.has_value()) << site.error().message();
  EXPECT_EQ(site->file_count(), 3u);
}

TEST_F(StaticSiteTest, RefusesSymbolicLinks) {
  Write(dir_ / "secret.txt", "key");
  fs::create_symlink(dir_ / "secret.txt", dir_ / "assets" / "leak.txt");
  auto site = StaticSite::Load(dir_.path());
  ASSERT_FALSE(site.has_value());
  EXPECT_NE(site.error().message().find("not a regular file"), std::string::npos)
      << site.error().message();
}

}  // namespace
}  // namespace vigie::web
