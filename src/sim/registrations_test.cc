#include "sim/registrations.h"

#include <gtest/gtest.h>
