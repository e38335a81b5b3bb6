#include "sim/registrations.h"
