// Disk full: data_dir on a 4 MiB tmpfs, filled until writes fail. The grid must answer Ret 500
// (saying no more than "storage unavailable"), report 503 on /healthz, acknowledge nothing it
// could not store, and recover by itself once space is back.
//
// Needs root (mount). Skipped otherwise.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "e2e_fixture.hpp"
#include "vgi/proto/ret.hpp"

namespace vgi::e2e {
namespace {

using namespace std::chrono_literals;
using proto::Interface;
using proto::Ret;

class DiskFullTest : public GridServerTest {
 protected:
  void SetUp() override {
    mount_dir_ = dir_.path() + "/small";
    ASSERT_EQ(::mkdir(mount_dir_.c_str(), 0700), 0) << std::strerror(errno);
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: mounts a 4 MiB tmpfs as data_dir";
    if (::mount("tmpfs", mount_dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0700") != 0) {
      GTEST_SKIP() << "needs root (CAP_SYS_ADMIN): mount -t tmpfs -o size=4m failed: " << std::strerror(errno);
    }
    mounted_ = true;
    InitSetup(mount_dir_ + "/var");  // certificates stay outside, in dir_/tls
    StartServer();
  }

  void TearDown() override {
    StopServer();  // closes the database before the file system goes
    if (mounted_ && ::umount2(mount_dir_.c_str(), 0) != 0) {
      ADD_FAILURE() << "umount " << mount_dir_ << ": " << std::strerror(errno) << " (detaching it lazily)";
      ::umount2(mount_dir_.c_str(), MNT_DETACH);
    }
    mounted_ = false;
  }

  // Writes a filler file until the file system refuses more; returns the bytes written.
  std::size_t Fill() {
    const int fd = ::open(Filler().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_GE(fd, 0) << std::strerror(errno);
    if (fd < 0) return 0;
    const std::string chunk(4096, 'x');
    std::size_t total = 0;
    for (;;) {
      const ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n <= 0) {
        EXPECT_EQ(errno, ENOSPC) << std::strerror(errno);
        break;
      }
      total += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    return total;
  }
  std::string Filler() const { return mount_dir_ + "/filler"; }

  client::HttpReply Health() {
    auto conn = MakeConnection(server_->port(), CertFile(setup_));
    EXPECT_TRUE(conn.ok()) << conn.status();
    if (!conn.ok()) return {};
    auto r = (*conn)->Get("/healthz", 10s);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : client::HttpReply{};
  }

  std::string mount_dir_;
  bool mounted_ = false;
};

TEST_F(DiskFullTest, FullDiskAnswers500AndRecoversWhenSpaceIsBack) {
  const auto day = Today(Clock::System());
  auto power = [&](int minute, std::int64_t centi) {
    return proto::StationPowerBatch{{Power("STA1", {{MinuteOf(day, minute), centi}}),
                                     Power("STA2", {{MinuteOf(day, minute), centi + 1}})}};
  };
  // Token and one point while there is room.
  ASSERT_TRUE(client_->Token().ok());
  auto r = Send(Interface::kSendStationPower1440, power(100, 1000));
  ASSERT_EQ(r.ret, Ret::kOk) << r.msg;

  const std::size_t filled = Fill();
  ASSERT_GT(filled, std::size_t{1} << 20) << "the tmpfs should have had most of its 4 MiB free";

  r = Send(Interface::kSendStationPower1440, power(200, 2000));
  EXPECT_EQ(r.ret, Ret::kSystemError) << r.msg;
  EXPECT_TRUE(r.sig_verified);
  EXPECT_NE(r.msg.find("storage unavailable"), std::string::npos) << r.msg;
  // Nothing of the cause leaks to the peer: no SQLite text, no path, no errno wording.
  for (const char* leak : {"SQLite", "sqlite", "disk", "full", "vgi.db", "/", "errno"}) {
    EXPECT_EQ(r.msg.find(leak), std::string::npos) << "Msg leaks \"" << leak << "\": " << r.msg;
  }
  auto health = Health();
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_NE(health.body.find("\"status\":\"degraded\""), std::string::npos) << health.body;

  ASSERT_EQ(::unlink(Filler().c_str()), 0) << std::strerror(errno);

  r = Send(Interface::kSendStationPower1440, power(300, 3000));
  EXPECT_EQ(r.ret, Ret::kOk) << r.msg;
  health = Health();
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(health.body, R"({"status":"ok"})");

  // Everything acknowledged is there; the refused request left nothing behind.
  for (const char* station : {"STA1", "STA2"}) {
    SCOPED_TRACE(station);
    const std::int64_t plus = std::string(station) == "STA2" ? 1 : 0;
    auto stored = Day(station, day);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->centi_kw[100], 1000 + plus);
    EXPECT_EQ(stored->centi_kw[300], 3000 + plus);
    EXPECT_TRUE(stored->present[100]);
    EXPECT_TRUE(stored->present[300]);
    EXPECT_FALSE(stored->present[200]);
    EXPECT_EQ(stored->present.count(), 2u);
  }
}

}  // namespace
}  // namespace vgi::e2e
