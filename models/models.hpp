// Every model of the example application: the one header the scanner and the app include.
#pragma once

#include "base.hpp"
#include "billing.hpp"
#include "order.hpp"
#include "product.hpp"
#include "reports.hpp"
#include "user.hpp"
