#pragma once
// Access to ../shared (protocol vectors) from tests. The path is baked in at configure time
// (VGI_SHARED_DIR) and can be overridden with the VGI_SHARED_DIR environment variable.

#include <string>

namespace vgi::testing {

// The shared/ folder, without a trailing slash.
std::string SharedDir();
// The whole content of a file; aborts the test program with a clear message if it is missing.
std::string ReadFileOrDie(const std::string& path);

}  // namespace vgi::testing
