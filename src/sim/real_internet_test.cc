#include "sim/real_internet.h"

#include <gtest/gtest.h>
