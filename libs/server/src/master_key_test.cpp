#include "vgi/server/master_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace vgi::server {
namespace {

namespace fs = std::filesystem;

class MasterKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vgi-master-key-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(MasterKeyTest, CreatedOnceWithMode0600AndReadBackTheSame) {
  auto first = LoadOrCreateMasterKey((dir_ / "data").string(), true);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "data" / kMasterKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = LoadOrCreateMasterKey((dir_ / "data").string(), true);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
}

TEST_F(MasterKeyTest, AbsentAndNotCreatingIsNotFound) {
  auto key = LoadOrCreateMasterKey(dir_.string(), false);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kNotFound);
}

TEST_F(MasterKeyTest, GroupOrWorldReadableIsRefusedWithTheChmodToRun) {
  ASSERT_TRUE(LoadOrCreateMasterKey(dir_.string(), true).ok());
  const fs::path file = dir_ / kMasterKeyFile;
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  auto key = LoadOrCreateMasterKey(dir_.string(), true);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kInvalid);
  EXPECT_NE(key.status().message().find("chmod 600"), std::string::npos) << key.status();
}

TEST_F(MasterKeyTest, WrongLengthIsRefused) {
  fs::create_directories(dir_);
  const fs::path file = dir_ / kMasterKeyFile;
  std::ofstream(file) << "short";
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  auto key = LoadOrCreateMasterKey(dir_.string(), true);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("exactly 32 bytes"), std::string::npos) << key.status();
}

TEST_F(MasterKeyTest, TokenKeyIsDerivedDeterministically) {
  const std::string a(32, 'a'), b(32, 'b');
  EXPECT_EQ(DeriveTokenKey(a).secret, DeriveTokenKey(a).secret);
  EXPECT_NE(DeriveTokenKey(a).secret, DeriveTokenKey(b).secret);
  EXPECT_GE(DeriveTokenKey(a).secret.size(), 32u);
}

}  // namespace
}  // namespace vgi::server
