// Skeleton, replaced by the real tests.
#include <gtest/gtest.h>

TEST(Pending, rtrpdutest) { GTEST_SKIP() << "tests to come"; }
