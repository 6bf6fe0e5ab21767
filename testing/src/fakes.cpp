#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/fake_random.hpp"
#include "vgi/testing/shared_files.hpp"

namespace vgi::testing {

SystemTime BeijingTime(int year, int month, int day, int hour, int minute, int second) {
  using namespace std::chrono;
  const sys_days d{std::chrono::year{year} / month / day};
  return SystemTime(d) + hours(hour) + minutes(minute) + seconds(second) - hours(8);
}

void FakeRandom::Fill(std::span<std::uint8_t> out) {
  std::lock_guard lock(mu_);
  for (auto& b : out) {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    b = static_cast<std::uint8_t>(z ^ (z >> 31));
  }
}

std::string SharedDir() {
  if (const char* env = std::getenv("VGI_SHARED_DIR"); env != nullptr && *env != '\0') return env;
#ifdef VGI_SHARED_DIR
  return VGI_SHARED_DIR;
#else
  return "../shared";
#endif
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "test set-up: cannot read %s (set VGI_SHARED_DIR to the shared/ folder)\n",
                 path.c_str());
    std::abort();
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace vgi::testing
