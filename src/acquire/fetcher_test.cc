#include <gtest/gtest.h>

#include "acquire/test_servers.h"

namespace vigia::test_util {
namespace {

TEST(FetchServers, NginxAndProxyServeAFile) {
  if (std::string why = NginxMissing(); !why.empty()) GTEST_SKIP() << why;
  const auto dir = FreshTempDir("vigia_fetch_servers_");
  std::filesystem::create_directories(dir / "root/sub");
  std::ofstream(dir / "root/sub/a.txt") << "hello world\n";
  TestServer nginx = StartNginx(dir / "root", dir / "nginx");
  ASSERT_TRUE(nginx.ok()) << nginx.error();
  TestServer proxy = StartFaultProxy(nginx.url(), {"/missing=404"}, dir / "proxy");
  ASSERT_TRUE(proxy.ok()) << proxy.error();
  EXPECT_EQ(LoopbackGet(proxy.port(), "/sub/a.txt"), "hello world\n");
  EXPECT_NE(LoopbackGet(proxy.port(), "/sub/").find("a.txt"), std::string::npos);
  EXPECT_EQ(proxy.Stats()["/sub/a.txt"], 1);
  EXPECT_EQ(nginx.AccessLog().size(), 2u);
}

}  // namespace
}  // namespace vigia::test_util
