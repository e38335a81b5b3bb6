#include "sim/real_internet.h"
