#include "vgi/server/logs.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vgi::server {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Logs, RunErrorLoginAndDebugGoToTheirOwnFiles) {
  const fs::path dir = fs::temp_directory_path() / ("vgi_logs_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto logs = Logs::Open(dir.string(), "info", false);
  ASSERT_TRUE(logs.ok()) << logs.status();
  (*logs)->run()->info("serving on 8443");
  (*logs)->run()->warn("peer 123456789 is slow");
  (*logs)->run()->debug("parsed 3 stations");
  (*logs)->login()->info("audit #1 alice 10.1.2.3 login user:alice -> ok");
  (*logs)->SetDebug(true);
  EXPECT_TRUE((*logs)->debug());
  (*logs)->run()->debug("parsed 4 stations");
  (*logs)->SetDebug(false);
  (*logs)->run()->debug("parsed 5 stations");
  (*logs)->SetLevel("warn");
  (*logs)->run()->info("quiet now");
  (*logs)->run()->flush();
  (*logs)->login()->flush();

  const std::string run = Read(dir / "run.log");
  const std::string error = Read(dir / "error.log");
  const std::string login = Read(dir / "login.log");
  const std::string debug = Read(dir / "debug.log");
  EXPECT_NE(run.find("info serving on 8443"), std::string::npos) << run;
  EXPECT_NE(run.find("warning peer 123456789 is slow"), std::string::npos) << run;
  EXPECT_EQ(run.find("parsed"), std::string::npos) << run;  // debug lines only in debug.log
  EXPECT_EQ(run.find("quiet now"), std::string::npos) << run;
  EXPECT_EQ(run.find("audit #1"), std::string::npos) << run;
  EXPECT_EQ(error.find("serving"), std::string::npos) << error;
  EXPECT_NE(error.find("peer 123456789 is slow"), std::string::npos) << error;
  EXPECT_NE(login.find("audit #1 alice 10.1.2.3 login user:alice -> ok"), std::string::npos) << login;
  EXPECT_EQ(login.find("serving"), std::string::npos) << login;
  EXPECT_EQ(debug.find("parsed 3 stations"), std::string::npos) << debug;  // off at the time
  EXPECT_NE(debug.find("parsed 4 stations"), std::string::npos) << debug;
  EXPECT_EQ(debug.find("parsed 5 stations"), std::string::npos) << debug;
  fs::remove_all(dir);
}

TEST(Logs, AnUnusableDirectoryIsNamed) {
  auto logs = Logs::Open("/proc/version/logs", "info", false);
  ASSERT_FALSE(logs.ok());
  EXPECT_EQ(logs.status().code(), StatusCode::kIo);
  EXPECT_NE(logs.status().message().find("/proc/version/logs"), std::string::npos) << logs.status();
}

}  // namespace
}  // namespace vgi::server
