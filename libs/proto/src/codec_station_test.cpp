// Tests: see the issue for what this file covers.
#include <gtest/gtest.h>
